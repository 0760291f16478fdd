import { describeChaos } from '../support/chaos.ts';

// App Runner's details as the Developer Guide documents them (`Status`, `ServiceName`, …).
describeChaos('PascalCase');
