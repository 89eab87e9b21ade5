import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';

/** Invites a staff member through the real command line; returns the set-up link's path. */
export function inviteStaff(email: string, role: string): string {
  const output = execFileSync(
    process.env.E2E_SERVER_BIN ?? '../target/debug/espace-usager',
    ['create-staff', '--email', email, '--name', 'Camille Martin', '--role', role],
    { env: { ...process.env, EU_DATA_DIR: '../target/e2e-data', EU_DEMO_DATA: 'off', RUST_LOG: 'warn' } },
  ).toString();
  const link = output.match(/https?:\/\/[^/]+(\/staff\/enrol\?token=\S+)/)?.[1];
  if (!link) throw new Error(`no link in: ${output}`);
  return link;
}

/** What an authenticator app shows (RFC 6238, SHA-1, 6 digits), `offset` steps from now. */
export function totp(secret: string, offset = 0): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/\s/g, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const hash = createHmac('sha1', key).update(counter).digest();
  const start = hash[19] & 0x0f;
  const value = (hash.readUInt32BE(start) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

/** Invites a member of `role`, enrols them through the pages and signs them in on `page`. */
export async function signedInStaff(page: Page, role: string): Promise<string> {
  const email = `${role}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@office.example`;
  await page.goto(inviteStaff(email, role));
  const secret = (await page.locator('.totp-secret code').innerText()).trim();
  await page.getByLabel('Choisissez un mot de passe').fill('une phrase de passe pour agent');
  await page.getByLabel("Code de l'application d'authentification").fill(totp(secret));
  await page.getByRole('button', { name: 'Activer mon accès' }).click();
  await page.getByLabel('Adresse électronique professionnelle').fill(email);
  await page.getByLabel('Mot de passe').fill('une phrase de passe pour agent');
  await page.getByLabel("Code de l'application d'authentification").fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/staff$/);
  return email;
}

/** A small valid one-page PDF saying `text` (offsets in the cross-reference table are exact). */
export function pdfSaying(text: string): Buffer {
  const content = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(out.length);
    out += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
