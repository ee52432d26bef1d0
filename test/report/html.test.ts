import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, formatCount, formatNumber, formatPercent, formatSeconds, htmlPage } from '../../src/report/html.js';

const unescape = (html: string) =>
  html.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name]!);

describe('html', () => {
  it('escapes text so that no markup survives, and nothing is lost', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(escaped.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
        expect(unescape(escaped)).toBe(text);
      }),
    );
  });

  it('formats numbers for people', () => {
    expect([formatCount(950), formatCount(12_500), formatCount(1_250_000), formatCount(3e9)]).toEqual(['950', '12.5k', '1.25M', '3G']);
    expect([formatSeconds(42), formatSeconds(450), formatSeconds(7560)]).toEqual(['42 s', '7.5 min', '2.1 h']);
    expect([formatPercent(0.8612), formatPercent(0.5, 0)]).toEqual(['86.12%', '50%']);
    expect([formatNumber(0.000012), formatNumber(1.5), formatNumber(2e7), formatNumber(0)]).toEqual(['1.2e-5', '1.5', '2e+7', '0']);
  });

  it('makes a page that loads nothing: no scripts, no external resources, a policy forbidding them', () => {
    const page = htmlPage({ title: 'a <title>', body: '<p>x</p>' });
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<title>a &lt;title&gt;</title>');
    expect(page).toContain("default-src 'none'");
    expect(page).not.toMatch(/<script|<link|@import|url\(|https?:/);
    expect(page).toContain('prefers-color-scheme: dark');
  });
});
