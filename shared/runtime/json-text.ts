/** The JSON value of a message body, or undefined when it is not JSON (the caller reports and drops it). */
export const jsonOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
