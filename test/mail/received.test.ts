import { describe, expect, it } from 'vitest';
import type { ReceivedHop } from '../../src/types.js';
import { normaliseIp, parseReceived } from '../../src/mail/received.js';

type Expect = Partial<Omit<ReceivedHop, 'hop' | 'raw'>>;

// Values as they stand after unfolding, modelled on real headers of each MTA.
const cases: [string, string, Expect][] = [
  [
    'Postfix',
    'from vger.kernel.org (vger.kernel.org [209.132.180.67]) by mail.lfdr.de (Postfix) with ESMTP id 30C96E05E for <lists+linux-watchdog@lfdr.de>; Mon, 29 Apr 2019 12:16:04 +0200 (CEST)',
    { fromHost: 'vger.kernel.org', fromIp: '209.132.180.67', byHost: 'mail.lfdr.de', protocol: 'ESMTP', id: '30C96E05E', for: 'lists+linux-watchdog@lfdr.de', date: '2019-04-29T10:16:04Z' },
  ],
  [
    'Postfix with TLS comment',
    'from smtp.subspace.kernel.org (relay.kernel.org [52.25.139.140]) (using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)) (No client certificate requested) by sv.mirrors.kernel.org (Postfix) with ESMTPS id 1C7A2281E83 for <lists@lfdr.de>; Tue, 13 Feb 2024 09:11:02 +0000 (UTC)',
    { fromHost: 'smtp.subspace.kernel.org', fromIp: '52.25.139.140', byHost: 'sv.mirrors.kernel.org', protocol: 'ESMTPS', id: '1C7A2281E83', date: '2024-02-13T09:11:02Z' },
  ],
  [
    'vger (ORCPT with a semicolon inside)',
    'from metis.ext.pengutronix.de ([85.220.165.71]:34289 "EHLO metis.ext.pengutronix.de" rhost-flags-OK-OK-OK-OK) by vger.kernel.org with ESMTP id S1727428AbfD2KQD (ORCPT <rfc822;linux-watchdog@vger.kernel.org>); Mon, 29 Apr 2019 06:16:03 -0400',
    { fromHost: 'metis.ext.pengutronix.de', fromIp: '85.220.165.71', byHost: 'vger.kernel.org', protocol: 'ESMTP', id: 'S1727428AbfD2KQD', date: '2019-04-29T10:16:03Z' },
  ],
  [
    'majordomo list expansion',
    '(majordomo@vger.kernel.org) by vger.kernel.org via listexpand id S1727560AbfD2KQD (ORCPT <rfc822;lists+linux-watchdog@lfdr.de>); Mon, 29 Apr 2019 06:16:03 -0400',
    { fromHost: null, byHost: 'vger.kernel.org', id: 'S1727560AbfD2KQD', date: '2019-04-29T10:16:03Z' },
  ],
  [
    'Exim with IPv6',
    'from pty.hi.pengutronix.de ([2001:67c:670:100:1d::c5]) by metis.ext.pengutronix.de with esmtps (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256) (Exim 4.89) (envelope-from <ukl@pengutronix.de>) id 1hL3KK-0005Gt-1m; Mon, 29 Apr 2019 12:16:00 +0200',
    { fromHost: 'pty.hi.pengutronix.de', fromIp: '2001:67c:670:100:1d::c5', byHost: 'metis.ext.pengutronix.de', protocol: 'esmtps', id: '1hL3KK-0005Gt-1m', date: '2019-04-29T10:16:00Z' },
  ],
  [
    'Exim local',
    'from ukl by pty.hi.pengutronix.de with local (Exim 4.89) (envelope-from <ukl@pengutronix.de>) id 1hL3KI-0001hH-Bf; Mon, 29 Apr 2019 12:15:58 +0200',
    { fromHost: 'ukl', fromIp: null, byHost: 'pty.hi.pengutronix.de', protocol: 'local', id: '1hL3KI-0001hH-Bf', date: '2019-04-29T10:15:58Z' },
  ],
  [
    'sendmail',
    'from sivswdev02.ir.intel.com (sivswdev02.ir.intel.com [10.237.217.46]) by irvmail001.ir.intel.com (8.14.3/8.13.6/MailSET/Hub) with ESMTP id u8FC6rSL030312; Thu, 15 Sep 2016 13:06:53 +0100',
    { fromHost: 'sivswdev02.ir.intel.com', fromIp: '10.237.217.46', byHost: 'irvmail001.ir.intel.com', protocol: 'ESMTP', id: 'u8FC6rSL030312', date: '2016-09-15T12:06:53Z' },
  ],
  [
    'sendmail local submission',
    '(from fyigit@localhost) by sivswdev02.ir.intel.com with LOCAL id u8FC6rZs015035; Thu, 15 Sep 2016 13:06:53 +0100',
    { fromHost: null, byHost: 'sivswdev02.ir.intel.com', protocol: 'LOCAL', id: 'u8FC6rZs015035', date: '2016-09-15T12:06:53Z' },
  ],
  [
    'qmail',
    '(qmail 11948 invoked by alias); 4 Jun 2014 17:51:01 -0000',
    { fromHost: null, byHost: null, date: '2014-06-04T17:51:01Z' },
  ],
  [
    'qmail from network',
    'from unknown (HELO mail.example.com) (198.51.100.23) by smtp.example.net with SMTP; 4 Jun 2014 17:51:01 -0000',
    { fromHost: 'unknown', fromIp: '198.51.100.23', byHost: 'smtp.example.net', protocol: 'SMTP', date: '2014-06-04T17:51:01Z' },
  ],
  [
    'Microsoft SMTP Server',
    'from DM6PR11MB2810.namprd11.prod.outlook.com (2603:10b6:5:1c3::30) by DM5PR11MB1369.namprd11.prod.outlook.com (2603:10b6:3:d::7) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.2474.19; Tue, 26 Nov 2019 08:57:12 +0000',
    { fromHost: 'DM6PR11MB2810.namprd11.prod.outlook.com', fromIp: '2603:10b6:5:1c3::30', byHost: 'DM5PR11MB1369.namprd11.prod.outlook.com', protocol: 'Microsoft SMTP Server', id: '15.20.2474.19', date: '2019-11-26T08:57:12Z' },
  ],
  [
    'Microsoft mapi with zone index',
    'from DM6PR11MB2810.namprd11.prod.outlook.com ([fe80::3d1b:1fb3:5e49:1b2c]) by DM6PR11MB2810.namprd11.prod.outlook.com ([fe80::3d1b:1fb3:5e49:1b2c%4]) with mapi id 15.20.2474.023; Tue, 26 Nov 2019 08:57:11 +0000',
    { fromIp: 'fe80::3d1b:1fb3:5e49:1b2c', protocol: 'mapi', id: '15.20.2474.023', date: '2019-11-26T08:57:11Z' },
  ],
  [
    'Google',
    'by 2002:a05:6a10:a0c7:0:0:0:0 with SMTP id x7csp1234567pxq; Mon, 29 Apr 2019 03:16:05 -0700 (PDT)',
    { fromHost: null, byHost: '2002:a05:6a10:a0c7:0:0:0:0', protocol: 'SMTP', id: 'x7csp1234567pxq', date: '2019-04-29T10:16:05Z' },
  ],
  [
    'Google with IPv6 literal',
    'from [IPv6:2a02:8109:9a3f:e500:f08d:f0b6:1d38:4f2a] ([2a02:8109:9a3f:e500:f08d:f0b6:1d38:4f2a]) by smtp.gmail.com with ESMTPSA id z5sm1234567wrt.2019.04.29.03.16.04 (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128); Mon, 29 Apr 2019 03:16:04 -0700 (PDT)',
    { fromIp: '2a02:8109:9a3f:e500:f08d:f0b6:1d38:4f2a', byHost: 'smtp.gmail.com', protocol: 'ESMTPSA', date: '2019-04-29T10:16:04Z' },
  ],
  [
    'literal without parentheses',
    'from mtkcas08.mediatek.inc [172.21.101.126] by mailgw01.mediatek.com (envelope-from <a@b.com>) (mhqrelay.mediatek.com ESMTP with TLSv1.2 ECDHE-RSA-AES256-SHA384 256/256) with ESMTP id 1532516478; Thu, 09 Jan 2020 16:11:52 +0800',
    { fromHost: 'mtkcas08.mediatek.inc', fromIp: '172.21.101.126', byHost: 'mailgw01.mediatek.com', protocol: 'ESMTP', id: '1532516478', date: '2020-01-09T08:11:52Z' },
  ],
  [
    'no semicolon before the date',
    'from soverin.net by soverin.net Mon, 29 Apr 2019 12:15:58 +0200',
    { fromHost: 'soverin.net', byHost: 'soverin.net', date: '2019-04-29T10:15:58Z' },
  ],
  [
    'no date at all',
    'from soverin.net by soverin.net',
    { fromHost: 'soverin.net', byHost: 'soverin.net', date: null },
  ],
  [
    'raw 0x9C byte as protocol (Patchwork 0012)',
    '(from fyigit@localhost) by sivswdev02.ir.intel.com with \u009c id u8FC6rZs015035; Thu, 15 Sep 2016 13:06:53 +0100',
    { byHost: 'sivswdev02.ir.intel.com', protocol: '\u009c', id: 'u8FC6rZs015035', date: '2016-09-15T12:06:53Z' },
  ],
];

describe('parseReceived', () => {
  it.each(cases)('%s', (_name, value, expected) => {
    const hop = parseReceived(value, 3);
    expect(hop.hop).toBe(3);
    expect(hop.raw).toBe(value);
    expect(hop).toMatchObject(expected);
  });

  it('never throws on junk', () => {
    for (const junk of ['', ';', '(((', 'from', 'by (', '[', '"unterminated', 'from x (y [1.2.3.4', 'with']) {
      expect(() => parseReceived(junk, 0)).not.toThrow();
    }
  });
});

describe('normaliseIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['[1.2.3.4]', '1.2.3.4'],
    ['[1.2.3.4]:25', '1.2.3.4'],
    ['[IPv6:2001:DB8::1]', '2001:db8::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['300.1.1.1', null],
    ['example.com', null],
    ['[172.21.101.xxx]', null],
  ])('%s', (input, expected) => {
    expect(normaliseIp(input)).toBe(expected);
  });
});
