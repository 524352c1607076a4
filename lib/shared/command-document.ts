/**
 * The deployment's own SSM Command documents that run one fixed shell step on
 * the gateway host (refresh-secrets, restore-agent): one shape, so each keeps
 * what makes it safe in one place. Every one is:
 *   - named (the operator and rotation policies allow only these names);
 *   - updated as a new version of the same name (UpdateMethod NewVersion: a
 *     content change never replaces it, and the name is never taken by the old one);
 *   - one aws:runShellScript step with a fixed script and a timeout; the only
 *     input is a declared parameter with its own allowedPattern, never free-form shell.
 */
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';

/** One String parameter of the document. */
export interface CommandDocumentParameter {
  /** What it is, for the console and `aws ssm describe-document`. */
  readonly description: string;
  /** The regular expression SSM holds every value to before the command runs. */
  readonly allowedPattern: string;
}

export interface CommandDocumentProps {
  /** The document's name. */
  readonly name: string;
  /** Its description. */
  readonly description: string;
  /**
   * Its String parameters, by name.
   * @default none
   */
  readonly parameters?: Readonly<Record<string, CommandDocumentParameter>>;
  /** The name of its one step. */
  readonly stepName: string;
  /** The step's timeout, in seconds. */
  readonly timeoutSeconds: number;
  /** The step's script, a line each. */
  readonly runCommand: readonly string[];
}

/** A named Command document with one fixed shell step (see the module comment). */
export function commandDocument(scope: Construct, id: string, props: CommandDocumentProps): ssm.CfnDocument {
  const parameters = props.parameters
    ? Object.fromEntries(Object.entries(props.parameters).map(([name, p]) => [name, { type: 'String', description: p.description, allowedPattern: p.allowedPattern }]))
    : undefined;
  return new ssm.CfnDocument(scope, id, {
    name: props.name,
    documentType: 'Command',
    documentFormat: 'JSON',
    updateMethod: 'NewVersion',
    content: {
      schemaVersion: '2.2',
      description: props.description,
      ...(parameters ? { parameters } : {}),
      mainSteps: [{ action: 'aws:runShellScript', name: props.stepName, inputs: { timeoutSeconds: String(props.timeoutSeconds), runCommand: [...props.runCommand] } }],
    },
  });
}
