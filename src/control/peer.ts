/**
 * Who is at the other end of a control-socket connection: the Unix user behind `lockerctl`, so
 * the audit trail says `technician:<user>` rather than just `technician`.
 *
 * The credentials come from the kernel (getsockopt SO_PEERCRED on the accepted socket), which
 * records them when the client connects: a client cannot claim to be someone else, unlike
 * anything it could send in a request. Node exposes no such call, so a tiny N-API addon does it
 * (native/peercred, built by `npm install` / `npm ci` through node-gyp from binding.gyp). The
 * alternatives were weaker: `ss -xp` and /proc/<pid>/fd show who holds the peer socket only to
 * root (the daemon runs as `lockerd`), /proc/net/unix has inodes but no uids, and a
 * file-ownership challenge needs a directory both sides can write (PrivateTmp forbids /tmp).
 *
 * When the addon is missing the daemon still serves; the actor is then `technician:uid-unknown`,
 * the daemon logs an error at start and `lockerctl selftest` warns with the fix.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { addonFile, loadAddonFunction } from '../native-addon.js';

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

export type PeerCredentialsSupport = { available: true } | { available: false; reason: string };

/** Reads the credentials of a connected control-socket client. */
export interface PeerIdentity {
  /** Whether credentials can be read at all; when not, why and what to do. */
  support(): PeerCredentialsSupport;
  /** The client's credentials, or null when they cannot be read. */
  credentials(socket: Socket): PeerCredentials | null;
}

/** Where node-gyp puts the addon, relative to the package root. */
export const PEERCRED_ADDON = addonFile('peercred');
/** What a technician runs to build it (node-gyp comes with npm; it needs make, g++ and python3). */
export const PEERCRED_FIX = 'npm run build:native in the lockerd directory (needs build-essential and python3), then restart lockerd';
export const UNKNOWN_TECHNICIAN = 'technician:uid-unknown';

type Addon = { peercred(fd: number): PeerCredentials };

let loaded: { addon: Addon } | { error: string } | undefined;

function load(): { addon: Addon } | { error: string } {
  if (!loaded) {
    const addon = loadAddonFunction<Addon['peercred']>(PEERCRED_ADDON, 'peercred');
    loaded = 'fn' in addon ? { addon: { peercred: addon.fn } } : addon;
  }
  return loaded;
}

/** The file descriptor under a net.Socket (Node keeps it on its internal handle on Unix). */
function fdOf(socket: Socket): number | null {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : null;
}

/** The kernel's SO_PEERCRED through the addon. */
export const kernelPeerIdentity: PeerIdentity = {
  support() {
    const l = load();
    return 'addon' in l ? { available: true } : { available: false, reason: l.error };
  },
  credentials(socket) {
    const l = load();
    const fd = fdOf(socket);
    if (!('addon' in l) || fd === null) return null;
    try {
      const c = l.addon.peercred(fd);
      // (uid_t)-1 is what the kernel reports for a socket without a peer.
      return c.uid === 0xffffffff ? null : c;
    } catch {
      return null;
    }
  },
};

const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

/** The user name of `uid` in passwd(5) text, or null (unknown, or a name unfit for an audit row). */
export function userNameOf(uid: number, passwd: string): string | null {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 3 && fields[2] === String(uid)) return USER_NAME.test(fields[0]!) ? fields[0]! : null;
  }
  return null;
}

/**
 * The audit actor for a client: `technician:<user>`, `technician:uid-<n>` for a uid without a
 * local user name, `technician:uid-unknown` when the credentials cannot be read. Names come from
 * /etc/passwd only, read on each connection: a directory service (NSS, LDAP) lookup could block
 * the daemon's event loop, and technicians' accounts on a kiosk are local.
 */
export function technicianActor(credentials: PeerCredentials | null, passwd: () => string = readPasswd): string {
  if (credentials === null) return UNKNOWN_TECHNICIAN;
  let name: string | null = null;
  try {
    name = userNameOf(credentials.uid, passwd());
  } catch {
    // An unreadable /etc/passwd still leaves the uid.
  }
  return `technician:${name ?? `uid-${credentials.uid}`}`;
}

function readPasswd(): string {
  return readFileSync('/etc/passwd', 'utf8');
}
