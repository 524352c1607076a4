/** One SNS message to the alert topic, published in the topic's region. */
import { sns } from './clients';
import { topicRegion } from './env';

/** SNS subjects: printable ASCII, no line breaks, at most 100 characters. */
export function cleanSubject(subject: string): string {
  const ascii = subject.replace(/[^\x20-\x7e]/g, ' ').replace(/\s+/g, ' ').trim();
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}

export async function notify(topicArn: string, subject: string, message: string): Promise<void> {
  const { sdk, client } = await sns(topicRegion(topicArn));
  await client.send(new sdk.PublishCommand({ TopicArn: topicArn, Subject: cleanSubject(subject), Message: message }));
}
