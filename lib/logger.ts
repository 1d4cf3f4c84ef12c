import { Logger } from '@aws-lambda-powertools/logger';

/** The Lambda functions' one structured logger (level from POWERTOOLS_LOG_LEVEL, set in serverless.yml). */
export const logger = new Logger({ serviceName: 'semantic-video-search' });
