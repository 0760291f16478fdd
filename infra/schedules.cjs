// The pause-resume function's events, generated from infra/schedules.yml by the same code the
// handler, the plan command and the sandbox use (lib/pause-resume/schedule-config.ts), so what is
// deployed is exactly what is tested. Referenced from serverless.yml with ${file(...)}.
'use strict';

const path = require('node:path');
const { require: tsRequire } = require('tsx/cjs/api');

module.exports = () => {
  const { loadScheduleConfig, toSchedulerJobs } = tsRequire(
    '../lib/pause-resume/schedule-config.ts',
    __filename,
  );
  const jobs = toSchedulerJobs(loadScheduleConfig(path.join(__dirname, 'schedules.yml')));
  return jobs.map((job) => ({
    schedule: {
      method: 'scheduler',
      rate: [job.expression],
      timezone: job.timezone,
      description: job.description,
      roleArn: { 'Fn::GetAtt': ['SchedulerInvokeRole', 'Arn'] },
      input: job.input,
    },
  }));
};
