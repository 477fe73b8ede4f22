import { xmlDocument, xmlNode } from '../protocol/s3-xml.js';
import { ownerOnlyAcl } from './bucket-configuration.js';
import type { ObjectContext } from './s3-context.js';
import { sendXml } from './s3-responses.js';

/** GET /bucket/key?acl — the owner with FULL_CONTROL (ACLs are not modelled). */
export async function getObjectAcl(context: ObjectContext): Promise<void> {
  await context.store.headObject(context.bucket, context.key);
  sendXml(context, ownerOnlyAcl(context));
}

/** GET /bucket/key?tagging — an empty tag set (object tags are not stored). */
export async function getObjectTagging(context: ObjectContext): Promise<void> {
  await context.store.headObject(context.bucket, context.key);
  sendXml(context, xmlDocument('Tagging', [xmlNode('TagSet', [])]));
}
