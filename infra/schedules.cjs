// The pause-resume function's events, generated from infra/schedules.yml by the same code the
// handler, the plan command and the sandbox use (lib/pause-resume/schedule-config.ts), so what is
// deployed is exactly what is tested. Referenced from serverless.yml with ${file(...)}.
'use strict';

const path = require('node:path');
const { require: tsRequire } = require('tsx/cjs/api');

module.exports = async ({ resolveVariable } = {}) => {
  const { loadScheduleConfig, toSchedulerJobs } = tsRequire(
    '../lib/pause-resume/schedule-config.ts',
    __filename,
  );
  const { toHeadsUpJobs } = tsRequire('../lib/heads-up/schedules.ts', __filename);
  const definitions = loadScheduleConfig(path.join(__dirname, 'schedules.yml'));
  // The heads-up before each pause (param pauseHeadsUpMinutes; 0: none), on the same function.
  const lead = resolveVariable ? Number(await resolveVariable('param:pauseHeadsUpMinutes')) : 0;
  if (!Number.isInteger(lead) || lead < 0 || lead > 1440) {
    throw new Error(
      `param pauseHeadsUpMinutes must be a whole number of minutes from 0 to 1440, not ${lead}`,
    );
  }
  // Named in their own group: the slack-actions job reads a definition back from `<schedule>-pause`.
  const named = toSchedulerJobs(definitions).map((job) => ({ ...job, named: true }));
  const jobs = [...named, ...toHeadsUpJobs(definitions, lead)];
  return jobs.map((job) => ({
    schedule: {
      method: 'scheduler',
      ...(job.named ? { name: job.name } : {}),
      groupName: { Ref: 'PauseResumeScheduleGroup' },
      rate: [job.expression],
      timezone: job.timezone,
      description: job.description,
      roleArn: { 'Fn::GetAtt': ['SchedulerInvokeRole', 'Arn'] },
      input: job.input,
    },
  }));
};
