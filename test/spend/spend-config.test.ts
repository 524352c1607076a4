import { agentModelId } from '../../lib/spend/spend-config';

test('agentModelId is <provider>/<model>', () => {
  expect(agentModelId({ provider: 'anthropic', model: 'claude-sonnet-4-6' })).toBe('anthropic/claude-sonnet-4-6');
});
