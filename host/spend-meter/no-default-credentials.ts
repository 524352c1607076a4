/**
 * Stands in for @aws-sdk/credential-provider-node in the bundle (lib/bundling/host-programs.ts
 * aliases it): the SDK's default credential chain (environment, profiles,
 * SSO, web identity...) refuses. The meter passes IMDSv2 credentials to its
 * CloudWatch client explicitly; no other source can ever be used on the host.
 */
export const defaultProvider = () => () =>
  Promise.reject(new Error('spend-meter: credentials come from IMDSv2 only (the default credential chain is not bundled)'));
