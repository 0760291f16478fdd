import { parseServiceArn } from '../events/app-runner.ts';
import type { AlertLink, AlertService } from './alert.ts';

/**
 * Console and CloudWatch Logs links for a service. App Runner writes `/aws/apprunner/<name>/<id>/
 * application` and `/service`; the CloudWatch console expects the group name URI-encoded twice
 * with `%` written as `$`.
 */
export function serviceLinks(service: AlertService): AlertLink[] {
  const { region, arn } = service;
  const console = `https://${region}.console.aws.amazon.com`;
  const links: AlertLink[] = [
    {
      label: 'Open in App Runner',
      url: `${console}/apprunner/home?region=${region}#/services/dashboard?service_arn=${encodeURIComponent(arn)}`,
    },
  ];
  const id = service.id ?? parseServiceArn(arn)?.id;
  if (id) {
    const group = (kind: string) =>
      encodeURIComponent(encodeURIComponent(`/aws/apprunner/${service.name}/${id}/${kind}`)).replaceAll(
        '%',
        '$',
      );
    const logs = `${console}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/`;
    links.push(
      { label: 'Application logs', url: `${logs}${group('application')}` },
      { label: 'Service logs', url: `${logs}${group('service')}` },
    );
  }
  return links;
}
