/** GitHub's limit for the blobs the connector reads; bigger files are generated or data, not prose or code to cite. */
export const MAX_BLOB_BYTES = 512 * 1024;

const TEXT_EXTENSIONS = new Set(
  (
    'md markdown mdx txt text rst adoc asciidoc org ' +
    'ts tsx mts cts js jsx mjs cjs py rb go rs java kt kts scala swift c h cc cpp cxx hpp hh cs fs php pl pm r lua dart ' +
    'ex exs erl hs clj elm sh bash zsh fish ps1 sql graphql gql proto vue svelte astro html htm css scss sass less ' +
    'json jsonc yaml yml toml ini cfg conf xml tf hcl nix gradle cmake mk'
  ).split(' '),
);

/** Extensionless files that are conventionally text. */
const TEXT_NAMES = new Set(['readme', 'license', 'licence', 'changelog', 'contributing', 'authors', 'notice', 'dockerfile', 'makefile', 'procfile', 'gemfile', 'rakefile']);

// Machine-written files that would crowd real answers out of the results.
const GENERATED = /(?:^|\/)(?:package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|composer\.lock|go\.sum)$|\.min\.(?:js|css)$|\.map$/;
const SKIPPED_DIRECTORIES = /(?:^|\/)(?:node_modules|vendor|dist|build|\.git)\//;

/** True for a text or code file the connector indexes; hidden files and folders are left out. */
export function isIndexablePath(path: string): boolean {
  if (path.split('/').some((part) => part.startsWith('.'))) return false;
  if (GENERATED.test(path) || SKIPPED_DIRECTORIES.test(path)) return false;
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return TEXT_NAMES.has(name);
  return TEXT_EXTENSIONS.has(name.slice(dot + 1)) || TEXT_NAMES.has(name.slice(0, dot));
}
