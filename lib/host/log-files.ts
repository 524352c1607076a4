/**
 * The log files the host writes and ships, defined once: the renderers write them into
 * openclaw.json and nginx.conf, and the CloudWatch agent configuration reads them from here.
 *
 * Not in lib/host/paths.ts on purpose: the host programs (fetch-secrets.js, spend-meter.js)
 * bundle paths.ts, and any symbol added to a module they bundle changes esbuild's minified
 * names, hence the host bundle, hence replaces every host on the next deploy
 * (test/app/template-identity.test.ts catches it).
 */
import { HOST_PATHS } from './paths';

export const HOST_LOG_FILES = {
  /** OpenClaw's log file (openclaw.json `logging.file`), in HOST_PATHS.logDir; the log export copies it. */
  gateway: `${HOST_PATHS.logDir}/openclaw.log`,
  /** nginx's access log (JSON lines, the `openclaw` log format of nginx.conf); the CloudWatch agent ships it. */
  nginxAccess: '/var/log/nginx/access.log',
  /** nginx's error log (warn and above); the CloudWatch agent ships it. */
  nginxError: '/var/log/nginx/error.log',
  /** The egress proxy's access log (squid's native format): one line per request, refusals as TCP_DENIED/403. */
  egressProxyAccess: '/var/log/squid/access.log',
  /** The egress proxy's own diagnostics (start-up, configuration errors); not shipped, read on the host (runbooks). */
  egressProxyCache: '/var/log/squid/cache.log',
} as const;
