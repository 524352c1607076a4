// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'coverage/**', '.stryker-tmp/**', 'reports/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // @cloud-copilot/iam-simulate, iam-policy and iam-utils are AGPL-3.0: test-time only, never in the
    // shipped code (docs/licences.md; test/support/simulator.test.ts checks the same).
    files: ['lib/**', 'bin/**', 'lambda/**', 'host/**', 'scripts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-simulate/*', '@cloud-copilot/iam-policy', '@cloud-copilot/iam-policy/*', '@cloud-copilot/iam-utils', '@cloud-copilot/iam-utils/*'], message: 'AGPL-3.0: test-time only (test/support/simulator.ts).' }] },
      ],
    },
  },
);
