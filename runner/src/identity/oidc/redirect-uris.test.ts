import { describe, expect, it } from 'vitest';
import { isAllowedRedirectUri } from './redirect-uris';

const allowlist = [
  'https://app.example.com/auth/done',
  'http://127.0.0.1/cb',
  'http://[::1]/cb',
  'http://localhost:5173/cb',
];

describe('isAllowedRedirectUri', () => {
  it('accepts exact entries and any port on a loopback IP entry', () => {
    for (const uri of [
      'https://app.example.com/auth/done',
      'http://127.0.0.1/cb',
      'http://127.0.0.1:53123/cb',
      'http://[::1]:8000/cb',
      'http://localhost:5173/cb',
    ])
      expect(isAllowedRedirectUri(allowlist, uri), uri).toBe(true);
  });

  it('refuses everything else', () => {
    for (const uri of [
      'https://app.example.com/auth/done/../../evil',
      'https://app.example.com/auth/donex',
      'https://app.example.com.evil.test/auth/done',
      'https://user@app.example.com/auth/done',
      'https://app.example.com/auth/done#x',
      'https://app.example.com:444/auth/done',
      'http://app.example.com/auth/done',
      'http://127.0.0.1:53123/other',
      'https://127.0.0.1:53123/cb',
      'http://127.0.0.2:53123/cb',
      'http://localhost:5174/cb',
      'http://localhost/cb',
      'not a url',
    ])
      expect(isAllowedRedirectUri(allowlist, uri), uri).toBe(false);
  });
});
