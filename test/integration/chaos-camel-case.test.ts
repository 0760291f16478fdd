import { describeChaos } from '../support/chaos.ts';

// App Runner's details as engineers who piped real events report them (`operationStatus`, …).
describeChaos('camelCase');
