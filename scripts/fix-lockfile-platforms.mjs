#!/usr/bin/env node
// Adds lockfile records for off-platform optional binaries that the npm registry mirror of our
// build machines does not carry (e.g. @biomejs/cli-android-arm64). Without a record, `npm ci`
// refuses the lockfile ("Missing: ... from lock file"); with one marked optional and tagged with
// its os/cpu, npm ci validates and skips it on other platforms. Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const OS = ['android', 'darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'sunos', 'aix'];
const CPU = ['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64'];

/** os/cpu/libc from a platform package name such as cli-linux-arm64-musl. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  const libc = parts.includes('musl') ? 'musl' : parts.includes('gnu') ? 'glibc' : undefined;
  return os && cpu ? { os, cpu, libc } : undefined;
}

// A Node built against glibc reports its version; musl builds do not.
const hostLibc = process.report?.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
const isHost = (p) => p.os === process.platform && p.cpu === process.arch && (!p.libc || p.libc === hostLibc);

let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = path ? `${path}/node_modules/${dep}` : `node_modules/${dep}`;
    if (lock.packages[base] || lock.packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    if (isHost(platform)) continue;
    lock.packages[`node_modules/${dep}`] = {
      version: String(version).replace(/^[\^~]/, ''),
      cpu: [platform.cpu],
      optional: true,
      os: [platform.os],
      ...(platform.libc ? { libc: [platform.libc] } : {}),
    };
    added++;
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`fix-lockfile-platforms: added ${added} off-platform optional record(s)`);
