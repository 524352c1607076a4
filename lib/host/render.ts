/**
 * The host-side files of one client x environment, keyed by their path
 * relative to the output folder. The tree mirrors the instance's /etc:
 *
 *   nginx/nginx.conf                          -> /etc/nginx/nginx.conf
 *   nginx/openclaw/allowed-origins.map.conf   -> /etc/nginx/openclaw/ (boot rewrites it with the CloudFront domain)
 *   nginx/logrotate.conf                      -> /etc/logrotate.d/nginx (size-based rotation of nginx's logs)
 *   nftables/openclaw.nft                     -> /etc/nftables/openclaw.nft
 *   squid/squid.conf                          -> /etc/squid/squid.conf (the egress proxy, root:squid 0640)
 *
 * nginx/openclaw/origin-verify.map.conf is never rendered: it holds the
 * origin-verify secret and is written at boot (renderOriginVerifyMap).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedConfig } from '../config/schema';
import { ALLOWED_ORIGINS_MAP_FILE, nginxLogFiles, renderAllowedOriginsMap, renderNginxConfig, type NginxRenderOptions } from './nginx-config';
import { renderNftablesRules } from './nftables-rules';
import { renderEgressProxyConfig } from './egress-proxy';
import { EGRESS_PROXY_BUNDLE_PATH, NGINX_LOG_ROTATION_BUNDLE_PATH } from './bundle-layout';
import { renderNginxLogRotation } from './nginx-log-rotation';

export const NGINX_CONF_PATH = 'nginx/nginx.conf';
export const ALLOWED_ORIGINS_MAP_PATH = `nginx/openclaw/${ALLOWED_ORIGINS_MAP_FILE}`;
export const NFTABLES_PATH = 'nftables/openclaw.nft';

export interface HostRenderOptions {
  /** Options of nginx.conf (listen address, paths, user). @default {} (every NginxRenderOptions default) */
  readonly nginx?: NginxRenderOptions;
  /**
   * Origins for the rendered allowed-origins.map.conf, e.g. the CloudFront
   * domain when it is already known. @default [] (boot fills the file)
   */
  readonly extraAllowedOrigins?: readonly string[];
}

/** Relative path -> file content. */
export type HostFiles = Record<string, string>;

export function renderHostFiles(config: ResolvedConfig, options: HostRenderOptions = {}): HostFiles {
  return {
    [NGINX_CONF_PATH]: renderNginxConfig(config, options.nginx),
    [ALLOWED_ORIGINS_MAP_PATH]: renderAllowedOriginsMap(options.extraAllowedOrigins ?? []),
    [NGINX_LOG_ROTATION_BUNDLE_PATH]: renderNginxLogRotation(nginxLogFiles(options.nginx)),
    [NFTABLES_PATH]: renderNftablesRules(config),
    [EGRESS_PROXY_BUNDLE_PATH]: renderEgressProxyConfig(config),
  };
}

/**
 * Writes the files under `dir` (folders created as needed); returns the absolute paths
 * written, in order. Also takes a whole bundle (assembleBundleFiles: agent files are Buffers).
 */
export function writeHostFiles(dir: string, files: Readonly<Record<string, string | Buffer>>): string[] {
  return Object.entries(files).map(([rel, content]) => {
    if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) throw new Error(`host file path must stay inside the output folder: ${rel}`);
    const file = path.resolve(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode: 0o644 });
    return file;
  });
}
