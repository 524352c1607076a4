import { Construct } from 'constructs';
import { SECRETS_REFRESH_UNIT } from '../host/unit-names';
import { commandDocument } from '../shared/command-document';

export interface SecretsRefreshDocumentProps {
  /** `<prefix>-<client>-<env>`: names the document. */
  readonly deploymentName: string;
}

/**
 * An SSM Command document that makes the gateway host re-read its secrets
 * now: it starts openclaw-secrets-refresh.service and nothing else (no
 * parameters, no free-form shell). The rotation functions may run only this
 * document, only on this deployment's instance; the host also refreshes on a
 * timer, so a missed command only delays a change.
 */
export class SecretsRefreshDocument extends Construct {
  readonly documentName: string;

  constructor(scope: Construct, id: string, props: SecretsRefreshDocumentProps) {
    super(scope, id);
    this.documentName = `${props.deploymentName}-refresh-secrets`;
    commandDocument(this, 'Document', {
      name: this.documentName,
      description: `Re-read the secrets of the ${props.deploymentName} gateway host (nginx reloads on a new origin-verify value, the gateway restarts on a new token or agent key)`,
      stepName: 'refreshSecrets',
      timeoutSeconds: 90,
      runCommand: [`systemctl start ${SECRETS_REFRESH_UNIT}`],
    });
  }
}
