import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MalformedXML } from '../../errors/index.js';

/** The namespace of every S3 XML document. */
export const s3Namespace = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Characters XML 1.0 cannot hold literally, plus markup and CR (which parsers would normalise away). */
// eslint-disable-next-line no-control-regex
const needsEscape = /[&<>"'\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Escapes text for an XML element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(needsEscape, (char) => {
    switch (char) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#x${char.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

/** A leaf value: strings are escaped, Dates become ISO 8601 with milliseconds, undefined is omitted. */
export type XmlLeaf = string | number | boolean | Date | undefined;

/** `<name>value</name>`, or '' when value is undefined. */
export function xmlLeaf(name: string, value: XmlLeaf): string {
  if (value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** `<name>…children…</name>` where children are already-built XML. */
export function xmlNode(name: string, children: readonly string[]): string {
  return `<${name}>${children.join('')}</${name}>`;
}

/** A whole response document: declaration plus a root element in S3's namespace. */
export function xmlDocument(root: string, children: readonly string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${s3Namespace}">${children.join('')}</${root}>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => name === 'Object' || name === 'Part',
});

/** A parsed XML element: text, or child elements by name (repeated `Object`/`Part` as arrays). */
export type XmlElement = string | { readonly [name: string]: XmlElement | readonly XmlElement[] | undefined };

/**
 * Parses a small request document and returns its root element's content.
 * Throws MalformedXML when the text is not well-formed or the root is not `root`.
 */
export function parseXmlBody(body: Buffer, root: string): XmlElement {
  const text = body.toString('utf8');
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw new MalformedXML();
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new MalformedXML();
  }
  const names = Object.keys(parsed);
  if (names.length !== 1 || names[0] !== root) throw new MalformedXML();
  return (parsed[root] ?? '') as XmlElement;
}

/** The text of a child element (trimmed), or undefined if it is absent or has children. */
export function childText(element: XmlElement | undefined, name: string): string | undefined {
  if (element === undefined || typeof element === 'string') return undefined;
  const child = element[name];
  return typeof child === 'string' ? child : undefined;
}

/** The repeated children named `name` (always an array). */
export function childList(element: XmlElement | undefined, name: string): XmlElement[] {
  if (element === undefined || typeof element === 'string') return [];
  const child = element[name];
  if (child === undefined) return [];
  return Array.isArray(child) ? [...(child as XmlElement[])] : [child as XmlElement];
}
