// An ICMP port unreachable in a real capture (the lab's `udp-port-unreachable` case on Linux
// 6.18, crates/capture/tests/data/lab_udp_port_unreachable.pcap) opened on #/open: the error
// sits in the UDP flow of the datagram it refuses, and its inspector shows the ICMP header
// (type, code) and the quoted datagram's ports, in zh and en. Screenshots under
// target/screenshots/open-icmp-*.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, onPage, screenshot, ROOT, flowLangs } from './lib.mjs';

const PCAP = join(ROOT, 'crates', 'capture', 'tests', 'data', 'lab_udp_port_unreachable.pcap');

const browser = useBrowser();

for (const lang of flowLangs()) {
  test(`${lang}: an ICMP port unreachable opens in its datagram's UDP flow and its inspector names type, code and the quoted ports`, async () => {
    await onPage(browser, '#/open', lang, async ({ page }) => {
      await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
      await page.getByTestId('open-input').waitFor({ state: 'attached', timeout: 15_000 });
      await page.getByTestId('open-input').setInputFiles(PCAP);
      await page.getByTestId('open-conversations').waitFor({ state: 'visible', timeout: 20_000 });
      const rows = page.locator('[data-testid="open-conversations"] tbody tr');
      assert.equal(await rows.count(), 2, 'two UDP flows (the connected and the unconnected socket)');
      assert.match(await rows.first().innerText(), /UDP/);
      await rows.first().locator('button').first().click();
      await page.getByTestId('ladder').first().waitFor({ state: 'visible', timeout: 15_000 });
      const icmp = page.locator('[data-testid="ladder"] g.seg').filter({ hasText: 'ICMP' });
      assert.ok((await icmp.count()) >= 1, 'the port unreachable is drawn in the flow');
      await icmp.first().locator('.hit').click({ force: true });
      const insp = page.getByTestId('inspector');
      await insp.waitFor({ state: 'visible' });
      const text = await insp.innerText();
      if (lang === 'zh') {
        assert.match(text, /类型/);
        assert.match(text, /目的不可达/);
        assert.match(text, /端口不可达/);
        assert.match(text, /被引用报文的目的端口/);
      } else {
        assert.match(text, /Type/);
        assert.match(text, /destination unreachable/);
        assert.match(text, /port unreachable/);
        assert.match(text, /Quoted destination port/);
      }
      // The datagram went to port 9, where nobody listened.
      assert.match(text, /\b9\b/);
      await screenshot(page, `open-icmp-${lang}`);
    });
  });
}
