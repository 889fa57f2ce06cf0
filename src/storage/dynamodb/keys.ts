/**
 * Single-table key design (pk/sk + one GSI, gsi1pk/gsi1sk). Records fetched by their own id get a
 * primary key of their own so those reads can be strongly consistent (a GSI read is not); the GSI
 * serves listings and lookups where a lag of a moment is harmless.
 *
 *   record        pk              sk                      gsi1pk              gsi1sk
 *   conversation  CONV#<id>       CONV                    ORG#<org>           CONV#<createdAt>#<id>
 *   idem. claim   ORG#<org>       IDEM#<key>              –                   –
 *   participant   PART#<id>       PART                    USER#<org>#<extId>  PART#<createdAt>#<id>   (only with an externalId)
 *   message       CONV#<conv>     MSG#<20-digit seq>#<id> MSG#<id>            MSG
 *   seq counter   CONV#<conv>     SEQ#                    –                   –
 *   session       SESS#<id>       SESS                    CONV#<conv>         SESS#<createdAt>#<id>
 *   approval      SESS#<id>       APPROVAL                –                   –
 *   approval part SESS#<id>       APPROVAL#PART#<uuid>#<6-digit n>  –     –       (a body over the item size limit)
 */
export interface ItemKey {
  pk: string;
  sk: string;
}

export const GSI1 = 'gsi1';

const SEQ_DIGITS = 20;

export const keys = {
  conversation: (id: string): ItemKey => ({ pk: `CONV#${id}`, sk: 'CONV' }),
  idempotency: (organizationId: string, key: string): ItemKey => ({ pk: `ORG#${organizationId}`, sk: `IDEM#${key}` }),
  participant: (id: string): ItemKey => ({ pk: `PART#${id}`, sk: 'PART' }),
  message: (conversationId: string, seq: number, id: string): ItemKey => ({
    pk: `CONV#${conversationId}`,
    sk: `MSG#${String(seq).padStart(SEQ_DIGITS, '0')}#${id}`,
  }),
  /** The partition holding a conversation's messages and their counter. */
  conversationPartition: (conversationId: string): string => `CONV#${conversationId}`,
  messagePrefix: 'MSG#',
  sequence: (conversationId: string): ItemKey => ({ pk: `CONV#${conversationId}`, sk: 'SEQ#' }),
  session: (id: string): ItemKey => ({ pk: `SESS#${id}`, sk: 'SESS' }),
  approval: (sessionId: string): ItemKey => ({ pk: `SESS#${sessionId}`, sk: 'APPROVAL' }),
  approvalPart: (sessionId: string, partsId: string, index: number): ItemKey => ({
    pk: `SESS#${sessionId}`,
    sk: `APPROVAL#PART#${partsId}#${String(index).padStart(6, '0')}`,
  }),
  approvalPartPrefix: (sessionId: string, partsId: string) => ({ pk: `SESS#${sessionId}`, skPrefix: `APPROVAL#PART#${partsId}#` }),
};

export const gsi = {
  conversationByOrg: (organizationId: string, createdAt: string, id: string) => ({ gsi1pk: `ORG#${organizationId}`, gsi1sk: `CONV#${createdAt}#${id}` }),
  conversationsOfOrg: (organizationId: string) => ({ gsi1pk: `ORG#${organizationId}`, prefix: 'CONV#' }),
  participantsOfExternalUser: (organizationId: string, externalId: string) => ({ gsi1pk: `USER#${organizationId}#${externalId}`, prefix: 'PART#' }),
  participantByExternalUser: (organizationId: string, externalId: string, createdAt: string, id: string) => ({
    gsi1pk: `USER#${organizationId}#${externalId}`,
    gsi1sk: `PART#${createdAt}#${id}`,
  }),
  messageById: (id: string) => ({ gsi1pk: `MSG#${id}`, gsi1sk: 'MSG' }),
  sessionByConversation: (conversationId: string, createdAt: string, id: string) => ({
    gsi1pk: `CONV#${conversationId}`,
    gsi1sk: `SESS#${createdAt}#${id}`,
  }),
};
