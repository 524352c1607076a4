import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { ResolvedConfig } from '../config/schema';
import { deploymentName } from '../shared/naming';
import { verificationDocumentContent } from './live-document';
import { hostLiveSettings } from './live-settings';

export interface VerificationDocumentProps {
  /** The resolved config of this client x environment: the collector's expected paths and names. */
  readonly config: ResolvedConfig;
}

/**
 * The SSM Command document `npm run verify` runs on the gateway host
 * (`<prefix>-<client>-<env>-verify-host`): host/verify/collect-host-facts.sh,
 * which prints the host's facts as one JSON object (lib/host/live-checks.ts
 * judges them). Its own resource, not part of the deployment bundle or the
 * user data: changing it never replaces the host.
 */
export class VerificationDocument extends Construct {
  readonly documentName: string;

  constructor(scope: Construct, id: string, props: VerificationDocumentProps) {
    super(scope, id);
    const settings = hostLiveSettings(props.config);
    this.documentName = settings.documentName;
    new ssm.CfnDocument(this, 'Document', {
      name: this.documentName,
      documentType: 'Command',
      documentFormat: 'JSON',
      updateMethod: 'NewVersion',
      content: verificationDocumentContent(deploymentName(props.config), settings),
    });
  }
}
