// The Security view: what `kubectl readiness verify` reports, in Headlamp.
// Findings carry the CLI's ids and texts because both come from the core.
import { NameValueTable, SectionBox, SimpleTable, StatusLabel } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { describeReleaseFacts, type Finding, type SecurityReport, type SecuritySource, type Threat } from '@kubectl-readiness/shared';
import Button from '@mui/material/Button';
import React from 'react';
import { useReadiness } from '../../hooks/useReadiness';
import { useReporterSecurity } from '../../hooks/useReporterSecurity';
import { ReporterTable } from '../common/ReporterTable';
import { ThreatPath } from './ThreatPath';

const SEVERITY_STATUS: Record<Finding['severity'], 'success' | 'warning' | 'error' | ''> = {
  fail: 'error',
  warn: 'warning',
  info: '',
  pass: 'success',
};

const SOURCE_TEXT: Record<SecuritySource, string> = {
  reviews: 'SubjectAccessReviews answered by the apiserver',
  rbac: 'RBAC objects only (you may not create SubjectAccessReviews)',
  manifests: 'manifests, not the apiserver',
  unverified: 'nothing: unverified',
};

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = React.useState(false);
  return (
    <Button
      size="small"
      variant="outlined"
      onClick={() => {
        navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </Button>
  );
}

interface ThreatRow {
  account: string;
  threat: Threat;
}

/** What one compromised node running each reporter can do to readiness, with the shortest path: `verify`'s matrix. */
function ThreatMatrix({ report }: { report: SecurityReport }) {
  const rows: ThreatRow[] = report.assessments.flatMap(({ reporter, threats }) =>
    (threats ?? []).map((threat) => ({ account: `${reporter.serviceAccount.namespace}/${reporter.serviceAccount.name}`, threat })),
  );
  const unsearched = report.assessments.filter((assessment) => assessment.threats === null).length;
  return (
    <SectionBox title="If a reporter's node is compromised">
      {unsearched > 0 ? (
        <p>{`Escalation paths were not searched for ${unsearched} reporter(s): the RBAC objects could not be read.`}</p>
      ) : null}
      <SimpleTable
        columns={[
          { label: 'ServiceAccount', getter: (row: ThreatRow) => row.account },
          { label: 'Capability', getter: (row: ThreatRow) => row.threat.title },
          {
            label: 'Reachable',
            getter: (row: ThreatRow) => (
              <StatusLabel status={row.threat.safe ? 'success' : 'error'} data-threat={row.threat.capability}>
                {row.threat.reachable ? 'yes' : 'no'}
              </StatusLabel>
            ),
          },
          {
            label: 'Path',
            getter: (row: ThreatRow) => <ThreatPath threat={row.threat} />,
            cellProps: { sx: { wordBreak: 'break-word' } },
          },
        ]}
        data={rows}
        emptyMessage="No reporter to assess."
      />
    </SectionBox>
  );
}

export function SecurityView() {
  const security = useReporterSecurity(useReadiness());
  const report = security.report;
  return (
    <>
      <SectionBox
        title="Reporter security"
        headerProps={{
          actions: [
            <Button key="recheck" size="small" onClick={security.recheck} disabled={security.loading}>
              Re-check
            </Button>,
          ],
        }}
      >
        {security.error ? <p role="alert">{security.error}</p> : null}
        {security.loading && !report ? <p>Checking reporters…</p> : null}
        {report ? (
          <NameValueTable
            rows={[
              { name: 'Kubernetes', value: report.gitVersion ?? 'unknown (cannot read /version)' },
              { name: 'ConstrainedImpersonation', value: report.gate },
              { name: 'Release facts', value: describeReleaseFacts(report.release) },
              { name: 'Verdicts from', value: SOURCE_TEXT[report.source] },
              ...(report.unverifiedReason ? [{ name: 'Unverified because', value: report.unverifiedReason }] : []),
              {
                name: 'Summary',
                value: <span data-security-summary>{`${report.verification.counts}${report.verification.passed ? '' : ' (fails)'}`}</span>,
              },
              ...report.notes.map((note) => ({ name: 'Note', value: note })),
            ]}
          />
        ) : null}
      </SectionBox>
      {report ? (
        <>
          <SectionBox title="Reporters">
            <ReporterTable assessments={report.assessments} emptyMessage="No reporter workloads found." />
          </SectionBox>
          <ThreatMatrix report={report} />
          <SectionBox title="Findings">
            <SimpleTable
              columns={[
                {
                  label: 'Severity',
                  getter: (row: Finding) => <StatusLabel status={SEVERITY_STATUS[row.severity]}>{row.severity.toUpperCase()}</StatusLabel>,
                },
                { label: 'ID', getter: (row: Finding) => row.id },
                { label: 'Subject', getter: (row: Finding) => row.subject },
                { label: 'Title', getter: (row: Finding) => row.title },
                { label: 'Evidence', getter: (row: Finding) => row.evidence.join(' | '), cellProps: { sx: { wordBreak: 'break-word' } } },
              ]}
              data={report.verification.findings}
            />
          </SectionBox>
          {report.verification.remediations.map(({ reporter, remediation }) => {
            const text = `${remediation.rbacYaml}---\n# then: ${remediation.patchCommand}\n${remediation.workloadPatchYaml}`;
            return (
              <SectionBox
                key={`${reporter.serviceAccount.namespace}/${reporter.serviceAccount.name}`}
                title={`Remediation for ${reporter.serviceAccount.namespace}/${reporter.serviceAccount.name}`}
                headerProps={{ actions: [<CopyButton key="copy" text={text} />] }}
              >
                <pre style={{ whiteSpace: 'pre-wrap' }}>{text}</pre>
              </SectionBox>
            );
          })}
        </>
      ) : null}
    </>
  );
}
