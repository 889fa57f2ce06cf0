/**
 * Where connectors and indexing runs live in the storage's single table (pk/sk + GSI gsi1):
 *
 *   record        pk                          sk                           gsi1pk            gsi1sk
 *   connector     ORG#<org>                   CONNECTOR#<id>               –                 –
 *   name claim    ORG#<org>                   CONNECTOR_NAME#<name>        –                 –
 *   indexing run  IXCONN#<enc org>#<conn id>  RUN#<20-digit startMs>#<id>  IXRUNS#<org>      RUN#<20-digit startMs>#<id>
 *
 * Connectors sit in the organization's partition (next to its settings), so listing them is one
 * strongly consistent query. Runs are keyed by connector id, not name as in the reference design: a
 * deleted connector's history never blends into a new one that reuses its name. The connector's own
 * partition serves its history and `lastSucceeded` (consistent, so a run that just finished on another
 * replica is where the next one resumes); the GSI serves the organization-wide listing, where a lag
 * of a moment is harmless. Both sort keys order runs by start time, then by id. The organization id
 * is URI-encoded where another id follows it, so no `#` in it can make two partitions meet.
 */
const START_DIGITS = 20;

function startKey(startedAt: string, runId: string): string {
  const ms = Date.parse(startedAt);
  if (Number.isNaN(ms) || ms < 0) throw new Error(`indexing run ${runId} has an unusable startedAt: ${startedAt}`);
  return `RUN#${String(ms).padStart(START_DIGITS, '0')}#${runId}`;
}

export const connectorKeys = {
  organizationPartition: (organizationId: string): string => `ORG#${organizationId}`,
  connectorPrefix: 'CONNECTOR#',
  connector: (organizationId: string, id: string) => ({ pk: `ORG#${organizationId}`, sk: `CONNECTOR#${id}` }),
  namePrefix: 'CONNECTOR_NAME#',
  name: (organizationId: string, name: string) => ({ pk: `ORG#${organizationId}`, sk: `CONNECTOR_NAME#${name}` }),
};

const connectorPartition = (organizationId: string, connectorId: string): string => `IXCONN#${encodeURIComponent(organizationId)}#${connectorId}`;
const organizationIndex = (organizationId: string): string => `IXRUNS#${organizationId}`;

export const runKeys = {
  prefix: 'RUN#',
  connectorPartition,
  organizationIndex,
  run: (organizationId: string, connectorId: string, startedAt: string, runId: string) => {
    const sk = startKey(startedAt, runId);
    return { pk: connectorPartition(organizationId, connectorId), sk, gsi1pk: organizationIndex(organizationId), gsi1sk: sk };
  },
};
