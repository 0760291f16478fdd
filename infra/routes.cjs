// The functions' `sqs` events for serverless.yml (${file(./infra/routes.cjs):sqsEvents.<fn>}),
// from the one routing table, infra/routes.ts.
'use strict';

const { require: tsRequire } = require('tsx/cjs/api');

const { QUEUE_ROUTES, sqsEvent } = tsRequire('./routes.ts', __filename);

module.exports = {
  sqsEvents: Object.fromEntries(Object.keys(QUEUE_ROUTES).map((fn) => [fn, sqsEvent(fn)])),
};
