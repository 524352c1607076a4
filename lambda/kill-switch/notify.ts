/** One SNS message to the alert topic, published in the topic's region. */
import { sns } from './clients';
import { topicRegion } from './env';

/** SNS Publish: a Subject must be "less than 100 characters long" (API reference, Publish). */
export const MAX_SUBJECT = 99;

/** SNS subjects: printable ASCII, no line breaks or control characters, one blank between words, at most MAX_SUBJECT characters. */
export function cleanSubject(subject: string): string {
  const ascii = subject.replace(/[^\x20-\x7e]/g, ' ').replace(/\s+/g, ' ').trim();
  return ascii.length <= MAX_SUBJECT ? ascii : `${ascii.slice(0, MAX_SUBJECT - 3)}...`;
}

export async function notify(topicArn: string, subject: string, message: string): Promise<void> {
  const { sdk, client } = await sns(topicRegion(topicArn));
  await client.send(new sdk.PublishCommand({ TopicArn: topicArn, Subject: cleanSubject(subject), Message: message }));
}
