// A threat's path, hop by hop, each binding, role and ServiceAccount linked
// to its own Headlamp page, so the grant to cut is one click away.
import { Link } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import type { ObjectRef, Threat } from '@kubectl-readiness/shared';
import React from 'react';

/** Headlamp v0.45's route for each kind a path names, and the params it takes. */
const ROUTES: Record<string, { routeName: string; namespaced: boolean }> = {
  ServiceAccount: { routeName: 'serviceAccount', namespaced: true },
  Role: { routeName: 'role', namespaced: true },
  RoleBinding: { routeName: 'roleBinding', namespaced: true },
  ClusterRole: { routeName: 'clusterrole', namespaced: false },
  ClusterRoleBinding: { routeName: 'clusterRoleBinding', namespaced: false },
};

function ObjectLink({ object }: { object: ObjectRef }) {
  const route = ROUTES[object.kind];
  const label = `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
  if (!route || (route.namespaced && !object.namespace)) return <span>{label}</span>;
  const params = route.namespaced ? { namespace: object.namespace!, name: object.name } : { name: object.name };
  return (
    <Link routeName={route.routeName} params={params}>
      {label}
    </Link>
  );
}

function Objects({ objects }: { objects: ObjectRef[] }) {
  return (
    <>
      {objects.map((object, index) => (
        <React.Fragment key={`${object.kind}/${object.namespace ?? ''}/${object.name}`}>
          {index > 0 ? ', ' : ' ('}
          <ObjectLink object={object} />
          {index === objects.length - 1 ? ')' : ''}
        </React.Fragment>
      ))}
    </>
  );
}

export function ThreatPath({ threat }: { threat: Threat }) {
  if (!threat.reachable || threat.expected || (threat.path.length === 0 && threat.grantObjects.length === 0))
    return <span>{threat.explanation}</span>;
  return (
    <ol data-path={threat.capability} style={{ margin: 0, paddingLeft: '1.2em' }}>
      {threat.path.map((hop, index) => (
        <li key={index}>
          {`${hop.how} ${hop.to}`}
          <Objects objects={hop.objects} />
        </li>
      ))}
      <li>
        {threat.path.length > 0 ? 'then, with that identity' : 'directly'}
        <Objects objects={threat.grantObjects} />
      </li>
    </ol>
  );
}
