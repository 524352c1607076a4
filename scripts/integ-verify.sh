#!/usr/bin/env bash
# npm run integ:verify (issue 14): deploys the integ app test/integ/integ.verify.ts
# (one client x env, INTEG_CLIENT / INTEG_ENV, default example/dev, plus its
# VerifyAssertions stack, whose failing assertions fail the deployment) with the
# pinned CDK CLI, then destroys it even when the deploy failed. Exits non-zero
# when the deploy (so an assertion) or the destroy failed. Needs a sandbox
# account's credentials; nothing in CI runs it (docs/verify.md).
set -uo pipefail

app="npx tsx test/integ/integ.verify.ts"
npx cdk deploy --app "$app" '**' --require-approval never
deploy=$?
npx cdk destroy --app "$app" '**' --force
destroy=$?
if [ "$deploy" -ne 0 ]; then
  echo "integ:verify: the deploy failed (exit $deploy): a stack or an assertion failed; see the VerifyAssertions events" >&2
  exit "$deploy"
fi
if [ "$destroy" -ne 0 ]; then
  echo "integ:verify: the destroy failed (exit $destroy): delete the leftover stacks by hand" >&2
  exit "$destroy"
fi
echo "integ:verify: every assertion held; the deployment is destroyed (object-locked audit buckets stay until their retention ends)"
