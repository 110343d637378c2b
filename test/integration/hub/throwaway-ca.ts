import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A throw-away certificate authority for the TLS tests, made with the `openssl` command line (present
 * wherever Node is built and on every CI image; no npm package needed to mint certificates): a root CA,
 * a hub certificate it signs for 127.0.0.1 and localhost, and a second, unrelated CA that a PC must not
 * accept the hub with. P-256 keys, valid for a day; the files are deleted by `cleanup`.
 */
export interface ThrowawayCa {
  caPem: string;
  otherCaPem: string;
  hubCertPem: string;
  hubKeyPem: string;
  dir: string;
  certFile: string;
  keyFile: string;
  caFile: string;
  cleanup(): void;
}

export function makeThrowawayCa(): ThrowawayCa {
  const dir = mkdtempSync(path.join(tmpdir(), 'crm-ca-'));
  const f = (n: string) => path.join(dir, n);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const rootCa = (key: string, pem: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      f(key),
      '-out',
      f(pem),
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  rootCa('ca.key', 'ca.pem', 'Test Bank Root CA');
  rootCa('other.key', 'other.pem', 'Somebody Else CA');
  openssl('req', '-new', ...ec, '-keyout', f('hub.key'), '-out', f('hub.csr'), '-subj', '/CN=crm-hub.test');
  writeFileSync(
    f('hub.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    f('hub.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('hub.pem'),
    '-days',
    '1',
    '-extfile',
    f('hub.ext'),
  );
  const read = (n: string) => readFileSync(f(n), 'utf8');
  return {
    caPem: read('ca.pem'),
    otherCaPem: read('other.pem'),
    hubCertPem: read('hub.pem'),
    hubKeyPem: read('hub.key'),
    dir,
    certFile: f('hub.pem'),
    keyFile: f('hub.key'),
    caFile: f('ca.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
