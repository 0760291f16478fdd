// The floor: the least a Lambda on App Runner can be. It constructs an AppRunnerClient at module
// scope and sends one command per invocation. Every figure of `npm run bench` is a ratio to this.
import { AppRunnerClient, ListServicesCommand } from '@aws-sdk/client-apprunner';

const client = new AppRunnerClient({});

export const handler = async () => {
  const out = await client.send(new ListServicesCommand({ MaxResults: 1 }));
  return out.ServiceSummaryList?.length ?? 0;
};
