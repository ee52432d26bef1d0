import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh self-signed certificate for localhost and 127.0.0.1, and its key, as PEM (made by openssl). */
export function selfSigned(): { certificate: Uint8Array; key: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'lstmp-tls-'));
  const [key, certificate] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', certificate, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    return { certificate: readFileSync(certificate), key: readFileSync(key) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
