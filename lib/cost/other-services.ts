/**
 * The other services: Lambda, SNS notifications (email, SMS, HTTP/S), AWS
 * Budgets (with and without actions), SQS queues and Systems Manager
 * (Session Manager documents; advanced parameters listed as not priced).
 */
import type { Ledger } from './ledger';
import { DAYS_PER_MONTH, FREE_TIERS, PRICES } from './price-table';
import { arr, obj, refName } from './template-index';
import { fmtQty, listRefs, plural } from './wording';

function priceLambda(l: Ledger) {
  const u = l.u;
  const functions = l.of('AWS::Lambda::Function');
  if (functions.length === 0) return;
  const freeReq = FREE_TIERS.lambdaRequests.quantity;
  const freeGbs = FREE_TIERS.lambdaGbSeconds.quantity;
  l.add(
    'lambda',
    'Other',
    `Lambda (${plural(functions.length, 'function')})`,
    u.lambdaInvocations,
    'lambdaRequestsMillion',
    `usage assumptions lambdaInvocations, lambdaGbSeconds; within the always-free ${fmtQty(freeReq)} requests and ${fmtQty(freeGbs)} GB-seconds`,
    {
      unit: 'request',
      unitUsd: PRICES.lambdaRequestsMillion.usd / 1_000_000,
      monthlyUsd:
        (Math.max(0, u.lambdaInvocations - freeReq) / 1_000_000) * PRICES.lambdaRequestsMillion.usd +
        Math.max(0, u.lambdaGbSeconds - freeGbs) * PRICES.lambdaGbSecond.usd,
    },
  );
}

/** Alarm notifications to every subscription of the topics, by protocol. */
function priceNotifications(l: Ledger) {
  const u = l.u;
  const topics = l.of('AWS::SNS::Topic');
  const subs = l.of('AWS::SNS::Subscription');
  const byProtocol = (p: string) => subs.filter((s) => s.props.Protocol === p).length;
  const topicSubs = topics.reduce((s, t) => s + arr(t.props.Subscription).length, 0);
  const email = byProtocol('email') + byProtocol('email-json');
  if (topics.length > 0 || subs.length > 0) {
    const q = u.alarmNotifications * (email + topicSubs);
    const free = FREE_TIERS.snsEmail.quantity;
    l.add('sns-email', 'Other', 'SNS email notifications', q, PRICES.snsEmail100k, `${plural(topics.length, 'topic')}, ${plural(email, 'email subscription')} x usage assumption alarmNotifications; the first ${fmtQty(free)} a month are free`, {
      unitUsd: PRICES.snsEmail100k.usd / 100_000,
      unit: 'email',
      monthlyUsd: (Math.max(0, q - free) / 100_000) * PRICES.snsEmail100k.usd,
    });
  }
  const sms = byProtocol('sms');
  if (sms > 0) l.add('sns-sms', 'Other', 'SNS SMS notifications', u.alarmNotifications * sms, 'snsSmsMessage', `${plural(sms, 'SMS subscription')} x usage assumption alarmNotifications`);
  const https = byProtocol('https') + byProtocol('http');
  if (https > 0) {
    const q = u.alarmNotifications * https;
    l.add('sns-https', 'Other', 'SNS HTTP/S notifications', q / 1_000_000, 'snsHttps1m', `${plural(https, 'HTTP/S subscription')}; the first 100,000 a month are free`, {
      monthlyUsd: (Math.max(0, q - FREE_TIERS.snsHttps.quantity) / 1_000_000) * PRICES.snsHttps1m.usd,
    });
  }
}

/** Budgets by the day, those with an action apart; the account's free ones go first to the budgets it already has. */
function priceBudgets(l: Ledger) {
  const budgets = l.of('AWS::Budgets::Budget');
  if (budgets.length === 0) return;
  const actions = l.ix.ofType('AWS::Budgets::BudgetsAction');
  const names = budgets.map((b) => obj(b.props.Budget).BudgetName);
  const actionEnabled = names.filter((n) => n !== undefined && actions.some((a) => JSON.stringify(a.props.BudgetName) === JSON.stringify(n))).length;
  const plain = budgets.length - actionEnabled;
  const free = FREE_TIERS.budgets.quantity;
  const already = l.u.budgetsAlreadyInAccount;
  const billable = (n: number) => Math.max(0, already + n - free) - Math.max(0, already - free);
  if (plain > 0) {
    l.add('budget', 'Other', 'AWS Budgets', plain, 'budgetDay', `${listRefs(budgets)}; the account's first ${free} are free (usage assumption budgetsAlreadyInAccount)`, {
      unitUsd: PRICES.budgetDay.usd * DAYS_PER_MONTH,
      unit: 'budget-month',
      monthlyUsd: billable(plain) * PRICES.budgetDay.usd * DAYS_PER_MONTH,
    });
  }
  if (actionEnabled > 0) {
    l.add('budget-action', 'Other', 'AWS Budgets with actions', actionEnabled, 'budgetActionDay', `budgets with an AWS::Budgets::BudgetsAction; the account's first ${free} are free`, {
      unitUsd: PRICES.budgetActionDay.usd * DAYS_PER_MONTH,
      unit: 'budget-month',
      monthlyUsd: billable(actionEnabled) * PRICES.budgetActionDay.usd * DAYS_PER_MONTH,
    });
  }
}

function priceQueues(l: Ledger) {
  const queues = l.of('AWS::SQS::Queue');
  if (queues.length > 0) {
    l.add('sqs', 'Other', `SQS queues (${queues.length})`, 0, 'sqsRequestsMillion', `${listRefs(queues)}: charged per request beyond the free 1,000,000 a month; a dead-letter queue nothing polls makes almost none`);
  }
}

function priceSystemsManager(l: Ledger) {
  const parameters = l.of('AWS::SSM::Parameter');
  const advanced = parameters.filter((p) => p.props.Tier === 'Advanced' || p.props.Tier === 'Intelligent-Tiering');
  for (const p of advanced) l.unpriced(`ssm-advanced:${p.id}`, `SSM advanced parameter ${refName(p)}`, 1, 'advanced parameters are not priced here');
  const documents = l.ix.ofType('AWS::SSM::Document');
  if (documents.length > 0) l.add('ssm', 'Other', 'Session Manager and SSM documents', documents.length, 'ssm', listRefs(documents));
}

/** Every line of the other services. */
export function priceOtherServices(l: Ledger) {
  priceLambda(l);
  priceNotifications(l);
  priceBudgets(l);
  priceQueues(l);
  priceSystemsManager(l);
}
