import { z } from 'zod';

export const businessIdSchema = z.uuid({ message: 'must be a UUID' });
