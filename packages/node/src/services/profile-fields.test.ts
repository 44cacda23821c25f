import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors.ts';
import { handleKey, parseBio, parseDisplayName, parseHandle, parseLinks } from './profile-fields.ts';

function refused(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 400);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

test('a handle keeps its case, is unique by its lower-case key, and is trimmed', () => {
  assert.equal(parseHandle(' DJ_Night.Owl '), 'DJ_Night.Owl');
  assert.equal(handleKey('DJ_Night.Owl'), 'dj_night.owl');
  assert.equal(parseHandle('abc'), 'abc');
  assert.equal(parseHandle('a'.repeat(30)), 'a'.repeat(30));
  assert.equal(parseHandle('0x123'), '0x123');
});

test('malformed and reserved handles are refused with what to fix', () => {
  refused(() => parseHandle('ab'), 'invalid_handle', /too short.*3–30 characters/);
  refused(() => parseHandle('a'.repeat(31)), 'invalid_handle', /31 characters long/);
  refused(() => parseHandle('night owl'), 'invalid_handle', /other characters/);
  refused(() => parseHandle('nüit'), 'invalid_handle', /other characters/);
  refused(() => parseHandle('.owl'), 'invalid_handle', /dot/);
  refused(() => parseHandle('owl.'), 'invalid_handle', /dot/);
  refused(() => parseHandle('o..wl'), 'invalid_handle', /two dots/);
  refused(() => parseHandle('<script>'), 'invalid_handle');
  for (const reserved of ['admin', 'Admin', 'API', 'fairstream', 'settings', 'search', 'me', 'support'])
    refused(() => parseHandle(reserved), 'reserved_handle', /reserved/);
});

test('display names are one trimmed line of 1–50 characters', () => {
  assert.equal(parseDisplayName('  Night Owl  '), 'Night Owl');
  assert.equal(parseDisplayName('Beyoncé 🎤'), 'Beyoncé 🎤');
  refused(() => parseDisplayName('   '), 'invalid_display_name', /1–50/);
  refused(() => parseDisplayName('x'.repeat(51)), 'invalid_display_name');
  refused(() => parseDisplayName('two\nlines'), 'invalid_display_name', /one line/);
});

test('a bio is plain text up to 1000 characters; line breaks stay, control characters do not', () => {
  assert.equal(parseBio('  Line one\r\nLine two  '), 'Line one\nLine two');
  assert.equal(parseBio('<b>not html</b>'), '<b>not html</b>', 'stored as text; clients show it as text');
  assert.equal(parseBio('   '), null);
  refused(() => parseBio('x'.repeat(1001)), 'invalid_bio', /at most 1000/);
  refused(() => parseBio('bell\u0007'), 'invalid_bio', /control characters/);
});

test('links are up to five labelled http(s) URLs', () => {
  assert.deepEqual(parseLinks([{ label: ' Bandcamp ', url: 'https://owl.bandcamp.com' }]), [
    { label: 'Bandcamp', url: 'https://owl.bandcamp.com/' },
  ]);
  const link = { label: 'Site', url: 'https://example.com' };
  refused(() => parseLinks(Array(6).fill(link)), 'invalid_links', /at most 5/);
  refused(() => parseLinks([{ label: 'x', url: 'javascript:alert(1)' }]), 'invalid_links', /http/);
  refused(() => parseLinks([{ label: 'x', url: 'ftp://example.com' }]), 'invalid_links');
  refused(() => parseLinks([{ label: 'x', url: 'not a url' }]), 'invalid_links', /links\[0\]\.url/);
  refused(() => parseLinks([{ label: 'x', url: 'https://user:pw@example.com' }]), 'invalid_links');
  refused(() => parseLinks([{ label: '', url: 'https://example.com' }]), 'invalid_links', /label/);
  refused(() => parseLinks([{ label: 'x', url: `https://example.com/${'a'.repeat(500)}` }]), 'invalid_links');
});
