/**
 * The plugins bundled in the pinned OpenClaw (host/openclaw/package-lock.json),
 * and which of them carry a model provider or a chat channel. Pure data: the
 * config schema and the openclaw.json generator both read it, and
 * test/openclaw/plugins.test.ts checks it against `openclaw plugins list --json`
 * of the installed version, so a version bump that adds, removes or renames a
 * plugin fails until this file follows.
 */

/** Every plugin bundled in openclaw 2026.9.6 (63), sorted. */
export const BUNDLED_PLUGIN_IDS = [
  'a2a',
  'active-memory',
  'admin-http-rpc',
  'alibaba',
  'anthropic',
  'apple-fm',
  'azure-speech',
  'beam',
  'bonjour',
  'browser',
  'canvas',
  'clawrouter',
  'code-mode-quickjs',
  'copilot-proxy',
  'crabbox',
  'cua-computer',
  'deepgram',
  'device-pair',
  'document-extract',
  'elevenlabs',
  'fal',
  'file-transfer',
  'geolocation',
  'github',
  'github-copilot',
  'google',
  'huggingface',
  'imap',
  'linux-node',
  'litellm',
  'llm-task',
  'lmstudio',
  'logbook',
  'memory-core',
  'memory-wiki',
  'microsoft',
  'microsoft-foundry',
  'migrate-claude',
  'migrate-hermes',
  'minimax',
  'nvidia',
  'oc-path',
  'ollama',
  'onepassword',
  'openai',
  'opencode-go',
  'openrouter',
  'policy',
  'reef',
  'runway',
  'senseaudio',
  'session-share',
  'sglang',
  'talk-voice',
  'telegram',
  'together',
  'tts-local-cli',
  'vault',
  'vllm',
  'web-readability',
  'webhooks',
  'workboard',
  'xai',
] as const;

export type BundledPluginId = (typeof BUNDLED_PLUGIN_IDS)[number];

/**
 * Bundled plugin of each model provider of the egress allowlist (PROVIDERS in
 * lib/network/config-schema.ts); null when the pinned version does not bundle
 * it (it ships as a separate npm package that host/openclaw/package-lock.json
 * does not pin).
 */
export const PROVIDER_PLUGINS = {
  anthropic: 'anthropic',
  openai: 'openai',
  google: 'google',
  openrouter: 'openrouter',
  xai: 'xai',
  bedrock: null, // @openclaw/amazon-bedrock, external
  mistral: null, // external
  groq: null, // @openclaw/groq-provider, external
} as const satisfies Record<string, BundledPluginId | null>;

/** Bundled plugin of each chat channel of the egress allowlist (CHANNELS); null when external. */
export const CHANNEL_PLUGINS = {
  telegram: 'telegram',
  slack: null, // @openclaw/slack, external
  discord: null, // @openclaw/discord, external
  whatsapp: null, // external
  msteams: null, // external
} as const satisfies Record<string, BundledPluginId | null>;

/**
 * Bundled plugins that hand the model (or a remote client) control of hosts,
 * browsers, files or ingress beyond the gateway's own policy. This blueprint
 * does not enable them: `openclaw.plugins` rejects them.
 */
export const UNSUPPORTED_PLUGINS: Readonly<Partial<Record<BundledPluginId, string>>> = {
  'admin-http-rpc': 'an admin RPC endpoint over HTTP',
  browser: 'a browser the agents drive',
  canvas: 'widget documents on paired desktop panels',
  crabbox: 'cloud worker sandboxes outside this host',
  'cua-computer': 'computer control of node hosts',
  'file-transfer': 'file access on paired nodes, bypassing exec policy',
  'linux-node': 'camera, notifications and location of Linux node hosts',
  logbook: 'screen snapshots of paired nodes',
  webhooks: 'inbound webhooks that start automation flows',
  imap: 'inbound e-mail dispatch to agents',
  a2a: 'the Agent-to-Agent protocol channel (agents of other gateways)',
  reef: 'an additional inbound channel',
};
