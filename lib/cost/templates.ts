import type { Stage } from 'aws-cdk-lib';
import type { StackTemplate } from './template-index';

/**
 * The synthesized template of every stack of one deployment stage (core,
 * network, gateway, edge and whatever stacks it gains), in synthesis order.
 */
export function stageTemplates(stage: Stage): StackTemplate[] {
  return stage.synth().stacks.map((artifact) => ({ stackName: artifact.stackName, template: artifact.template as StackTemplate['template'] }));
}
