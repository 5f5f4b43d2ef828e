import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The null rule (README): class-validator's IsOptional lets null through; Optional() from @app/common does not. */
const NO_IS_OPTIONAL = {
  name: 'class-validator',
  importNames: ['IsOptional'],
  message: 'use Optional() from @app/common: IsOptional accepts null, which the null rule refuses',
};

/** Layer rules: contracts <- common <- monitoring <- incidents <- aws <- apps/api; apps/web imports contracts only. */
const forbid = (groups, message, paths = []) => ({
  'no-restricted-imports': [
    'error',
    { paths: [...paths, NO_IS_OPTIONAL], patterns: groups.map((group) => ({ group: [group], message })) },
  ],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      'apps/web/dev/**',
      'apps/web/.angular/**',
      'artifacts/**',
      'bench/results/**',
      '**/*.mjs',
      '**/*.cjs',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['libs/contracts/src/**/*.ts'],
    rules: forbid(
      ['@app/*', '@nestjs/*', '@aws-sdk/*', 'axios', 'rxjs', 'class-validator'],
      'contracts are plain types: no framework or layer imports',
    ),
  },
  {
    files: ['libs/common/src/**/*.ts'],
    rules: forbid(
      ['@app/monitoring', '@app/incidents', '@app/aws', '@aws-sdk/*', '**/apps/**', 'axios', 'rxjs'],
      'common holds the shared errors, validation and audit port: it imports @app/contracts only',
    ),
  },
  {
    files: ['libs/monitoring/src/**/*.ts'],
    rules: forbid(
      ['@app/incidents', '@app/aws', '@aws-sdk/*', '**/apps/**'],
      'monitoring depends on contracts, common and its own ports: never on incidents, AWS adapters or the app',
    ),
  },
  {
    files: ['libs/incidents/src/**/*.ts'],
    rules: forbid(
      ['@app/aws', '@aws-sdk/*', '**/apps/**'],
      'domain libs depend on ports, never on AWS adapters or the app',
      [
        {
          name: '@app/monitoring',
          importNames: ['MonitorService', 'ServiceRuntime', 'StateWriter', 'RollupWriter'],
          message: 'read the runner through MonitorView (find, list, durable), never its runtimes',
        },
      ],
    ),
  },
  { files: ['libs/aws/src/**/*.ts'], rules: forbid(['**/apps/**'], 'adapters never import the app') },
  { files: ['apps/api/src/**/*.ts'], rules: forbid(['@aws-sdk/*'], 'only libs/aws imports the AWS SDK') },
  {
    // The dashboard has its own tsconfig and Angular's lint conventions; here we only enforce the layer rule.
    files: ['apps/web/**/*.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: {
      ...forbid(
        [
          '@app/common',
          '@app/monitoring',
          '@app/incidents',
          '@app/aws',
          '@nestjs/*',
          '@aws-sdk/*',
          '**/libs/*/src/**',
          '!**/libs/contracts/**',
        ],
        'the dashboard imports API types from @app/contracts only',
      ),
      '@typescript-eslint/no-unused-vars': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      'no-empty': 'off',
    },
  },
  {
    // Test support (libs/*/src/testing) is for specs; a second rule name, so the layer rules above still apply.
    files: ['libs/*/src/**/*.ts', 'apps/api/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/*/src/testing/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@app/*/testing', '**/testing', '**/testing/**'], message: 'test support is for specs only' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
