// @ts-check
// The one DOM helper of the pages Uplift serves (sign-in, results). A browser module, served as it
// is from /assets/dom.js.

/**
 * An element with its attributes and children (nodes, or strings as text: never parsed as HTML).
 * @param {string} tag @param {Record<string, string>} [attributes] @param {(Node | string)[]} [children]
 */
export function h(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}
