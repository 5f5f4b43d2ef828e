#!/usr/bin/env node
// Prints a new random admin token and the SHA-256 hash the server needs (ADMIN_TOKEN_HASHES).
// Give the token to the admin; store only the hash in the server's environment (SSM Parameter Store in AWS).
import { createHash, randomBytes } from 'node:crypto';

const token = `sp_${randomBytes(32).toString('base64url')}`;
const hash = createHash('sha256').update(token, 'utf8').digest('hex');
process.stdout.write(`token: ${token}\nhash:  ${hash}\n\nADMIN_TOKEN_HASHES=${hash}\n`);
