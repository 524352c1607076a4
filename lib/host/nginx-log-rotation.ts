/**
 * The size-based rotation of nginx's logs, a logrotate configuration installed as
 * /etc/logrotate.d/nginx (in place of the package's daily one, so both logrotate runs apply
 * the same policy: its nodateext and nocreate override the global dateext and create) and run
 * every minute by openclaw-nginx-rotate.timer, with a state file of its own, as well as by the
 * system's daily logrotate. Pure function: no file system, no clock.
 *
 * Ceiling per log: the live file (rotated once over NGINX_LOG_ROTATE_SIZE_MIB, checked every
 * minute), one uncompressed generation (delaycompress: the CloudWatch agent may still be
 * reading it under its new name) and NGINX_LOG_GENERATIONS - 1 gzip-compressed ones. The
 * access log's growth between two checks is bounded by edge.hostLimit (every answered request
 * is logged) and by the sampling of refusals (lib/host/nginx-config.ts): npm run bench:load
 * measured about 34 bytes per refusal and 29,000 refusals a second from one viewer on loopback
 * here, about 57 MiB a minute, so the live log stays near 110 MiB at the worst between checks.
 */

/** A log is rotated when larger than this, in MiB. */
export const NGINX_LOG_ROTATE_SIZE_MIB = 50;
/** Rotated generations kept per log (the oldest is deleted). */
export const NGINX_LOG_GENERATIONS = 4;
/** How often the timer runs logrotate for nginx's logs, in minutes. */
export const NGINX_LOG_ROTATE_EVERY_MINUTES = 1;

export interface NginxLogRotationOptions {
  /** The logs rotated: nginx's access and error logs. */
  readonly logs: readonly string[];
  /** nginx's PID file: the master gets USR1 after a rotation and reopens its logs. */
  readonly pidFile: string;
}

const SAFE_PATH = /^\/[A-Za-z0-9_\-./]+$/;

/** The content of /etc/logrotate.d/nginx. */
export function renderNginxLogRotation(options: NginxLogRotationOptions): string {
  for (const p of [...options.logs, options.pidFile]) {
    if (!SAFE_PATH.test(p)) throw new Error(`nginx log rotation: invalid path ${JSON.stringify(p)} (an absolute path of [A-Za-z0-9_-./])`);
  }
  if (options.logs.length === 0) throw new Error('nginx log rotation: no log to rotate');
  return [
    '# /etc/logrotate.d/nginx: nginx\'s logs rotated by size (lib/host/nginx-log-rotation.ts); do not edit.',
    "# Run every minute by openclaw-nginx-rotate.timer, and daily by the system's logrotate.",
    `# At most: the live log, one plain and ${NGINX_LOG_GENERATIONS - 1} compressed generations of about ${NGINX_LOG_ROTATE_SIZE_MIB} MiB each.`,
    `${options.logs.join(' ')} {`,
    `    size ${NGINX_LOG_ROTATE_SIZE_MIB}M`,
    `    rotate ${NGINX_LOG_GENERATIONS}`,
    '    missingok',
    '    notifempty',
    // Over the global /etc/logrotate.conf (Amazon Linux: dateext, create): the daily run then names
    // generations as this one does, and nginx creates the new log itself when it reopens on USR1.
    '    nodateext',
    '    nocreate',
    '    compress',
    '    delaycompress',
    '    sharedscripts',
    '    postrotate',
    `        [ ! -s ${options.pidFile} ] || kill -USR1 "$(cat ${options.pidFile})"`,
    '    endscript',
    '}',
    '',
  ].join('\n');
}
