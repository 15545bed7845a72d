// Lint: typescript-eslint recommended rules plus the architecture's import boundaries.
// Each folder under src/ may import only the folders listed for it (see docs/architecture.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = ['shared', 'protocol', 'gateway', 'station', 'domain', 'ocpp', 'storage', 'api', 'ocpi', 'web', 'sim', 'lc', 'cli'];

/** Which src/ folders each folder may import. Everything not listed is forbidden. */
const allowed = {
  shared: [],
  protocol: ['shared'],
  gateway: ['protocol', 'shared'],
  station: ['protocol', 'shared'],
  domain: ['shared'],
  storage: ['domain', 'shared'],
  ocpp: ['domain', 'protocol', 'gateway', 'shared'],
  api: ['domain', 'shared'],
  ocpi: ['domain', 'shared'],
  web: [],
  sim: ['station', 'protocol', 'shared'],
  lc: ['station', 'gateway', 'protocol', 'shared'],
  cli: layers,
};

const boundaryRules = Object.entries(allowed).map(([layer, may]) => {
  const forbidden = layers.filter((l) => l !== layer && !may.includes(l));
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            // The CLI may import every layer, so it has no forbidden group (an empty group is invalid config).
            ...(forbidden.length === 0
              ? []
              : [
                  {
                    // Sub-folders of domain named like a layer (domain/ocpi) are domain, not that layer.
                    group: [...forbidden.flatMap((l) => [`**/${l}`, `**/${l}/**`, `../${l}/*`]), ...(may.includes('domain') ? ['!**/domain/**'] : [])],
                    message: `src/${layer} may import only: ${may.join(', ') || 'nothing inside src'} (docs/architecture.md).`,
                  },
                ]),
            ...(layer === 'cli'
              ? []
              : [{ group: ['**/app', '**/app.ts'], message: 'Only the CLI may import the composition root.' }]),
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'src/protocol/generated/**', 'src/web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...boundaryRules,
);
