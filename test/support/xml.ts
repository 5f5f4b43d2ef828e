import { SaxesParser } from 'saxes';

export interface XmlElement {
  name: string;
  ns: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** All descendant character data, entities decoded (like DOM textContent). */
  text: string;
}

/** Parses with saxes, a strict XML 1.0 + namespaces parser: throws on anything not well-formed. */
export function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true });
  const root: XmlElement = { name: '#document', ns: '', attributes: {}, children: [], text: '' };
  const stack = [root];
  parser.on('opentag', (tag) => {
    const attributes = Object.fromEntries(
      Object.values(tag.attributes).map((attribute) => [attribute.name, attribute.value]),
    );
    const element: XmlElement = { name: tag.local, ns: tag.uri, attributes, children: [], text: '' };
    stack.at(-1)!.children.push(element);
    stack.push(element);
  });
  parser.on('text', (text) => stack.forEach((element) => (element.text += text)));
  parser.on('closetag', () => stack.pop());
  parser.write(xml).close();
  return root.children[0]!;
}

/** Every descendant element with this local name, in document order. */
export function findElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...findElements(child, name)]);
}
