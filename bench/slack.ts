// The Slack app client's cost (issue 16: notify's bundle may grow by at most 10 %): the bytes the
// app mode's code adds to notify's production bundle, and the time a Web API call takes through
// the client (`lib/aws/slack-app.ts`: token, JSON, error reading) against the same request sent
// with bare fetch, both to the sandbox's Slack stand-in on a loopback port.
import { join } from 'node:path';
import { build } from 'esbuild';
import { createSlackAppClient } from '../lib/aws/slack-app.ts';
import { type LocalServer, listen } from '../sandbox/http.ts';
import { SlackApiStandIn } from '../sandbox/slack-api.ts';
import { productionOptions } from './bundle.ts';
import { type Summary, summarize } from './stats.ts';

/** The files of app mode in notify's bundle (the client, threads, incidents and routing). */
export const SLACK_APP_FILES = [
  'lib/aws/slack-app.ts',
  'lib/notify/slack-thread.ts',
  'lib/notify/incident.ts',
];

export interface SlackFigure {
  notifyBytes: number;
  /** Bytes of {@link SLACK_APP_FILES} in notify's bundle. */
  appModeBytes: number;
  /** `appModeBytes` as a share of notify's bundle without them. */
  growth: number;
  calls: number;
  client: Summary;
  fetch: Summary;
  /** Median added by the client per call, ms. */
  addedMs: number;
}

const TOKEN = 'xoxb-bench-0000000000-benchtoken';

/** Bundles notify as production does and measures one Web API call each way. */
export async function measureSlack(root: string, calls = 500): Promise<SlackFigure> {
  const result = await build({
    ...productionOptions(root),
    entryPoints: [join(root, 'functions/notify.ts')],
    write: false,
    outdir: join(root, 'bench/.out'),
    logLevel: 'error',
    metafile: true,
  });
  let notifyBytes = 0;
  let appModeBytes = 0;
  for (const output of Object.values(result.metafile.outputs)) {
    notifyBytes += output.bytes;
    for (const [path, input] of Object.entries(output.inputs)) {
      if (SLACK_APP_FILES.some((f) => path.endsWith(f))) appModeBytes += input.bytesInOutput;
    }
  }

  const api = new SlackApiStandIn({ token: TOKEN, channels: ['C0BENCH'] });
  const server: LocalServer = await listen((req) => api.handle(req));
  try {
    const client = createSlackAppClient({
      token: { get: async () => TOKEN, invalidate: () => {} },
      baseUrl: `${server.url}/api/`,
    });
    const message = { channel: 'C0BENCH', text: 'checkout-api: Rollback Completed' };
    const viaClient = async () => {
      await client.postMessage(message);
    };
    const viaFetch = async () => {
      const r = await fetch(`${server.url}/api/chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ ...message, unfurl_links: false, unfurl_media: false }),
      });
      await r.text();
    };
    const time = async (f: () => Promise<void>) => {
      for (let i = 0; i < 50; i++) await f();
      const samples: number[] = [];
      for (let i = 0; i < calls; i++) {
        const t = performance.now();
        await f();
        samples.push(performance.now() - t);
      }
      return summarize(samples);
    };
    // Interleaved halves so machine load affects both arms alike.
    const fetch1 = await time(viaFetch);
    const client1 = await time(viaClient);
    return {
      notifyBytes,
      appModeBytes,
      growth: appModeBytes / (notifyBytes - appModeBytes),
      calls,
      client: client1,
      fetch: fetch1,
      addedMs: client1.median - fetch1.median,
    };
  } finally {
    await server.close();
  }
}
