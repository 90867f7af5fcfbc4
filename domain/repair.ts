import { z } from 'zod';
import { instant, phone } from './fields';
import { CHANNELS } from './people';

/** R1: urgent (急修), general (一般维修/小修), major (较大项目, by appointment 预约维修). */
export const REPAIR_CLASSES = ['urgent', 'general', 'major'] as const;
export type RepairClass = (typeof REPAIR_CLASSES)[number];

/** R9: what the repair touched — decides when the return visit is due. */
export const REPAIR_TAGS = ['water', 'electricity', 'neighbour', 'dangerous', 'leak'] as const;
export type RepairTag = (typeof REPAIR_TAGS)[number];

/** I2: what a repair request (报修) records at intake. */
export const repairIntakeSchema = () =>
  z
    .object({
      room: z.string().trim().min(1).max(32).optional().describe('Room number 房号 as "building-unit-room", e.g. "1-1-301"; required unless publicArea'),
      /** For a public-facility repair: the area it is in. */
      areaId: z.string().trim().min(1).max(32).optional().describe('Area 片区 of a public-facility repair'),
      contactName: z.string().trim().min(1).max(64),
      contactPhone: phone(),
      channel: z.enum(CHANNELS),
      description: z.string().trim().min(2).max(2000),
      classification: z.enum(REPAIR_CLASSES),
      tags: z.array(z.enum(REPAIR_TAGS)).max(REPAIR_TAGS.length).default([]),
      /** R7: a public-facility repair (公区) rather than one inside a home. */
      publicArea: z.boolean().default(false),
      /** R9: the house is still under its warranty (房屋质量保证期内): a leak repair's visit then waits for the first rainy day. */
      underWarranty: z.boolean().default(false),
      /** I2: when the call or visit came in, when it is recorded afterwards; defaults to now. */
      receivedAt: instant().optional(),
      /** I2: why a case is recorded long after it came in (beyond the policy's grace); kept in its audit log. */
      lateEntryReason: z.string().trim().min(2).max(500).optional(),
      /** R5: required for a major repair; the agreed visit time. */
      appointmentAt: instant().optional(),
    })
    .strict()
    .superRefine((value, ctx) => {
      if (!value.publicArea && !value.room) {
        ctx.addIssue({ code: 'custom', path: ['room'], message: 'the room is required for a repair inside a home' });
      }
      if (value.publicArea && !value.areaId) {
        ctx.addIssue({ code: 'custom', path: ['areaId'], message: 'a public-facility repair names its area (R7)' });
      }
      if (value.classification === 'major' && !value.appointmentAt) {
        ctx.addIssue({ code: 'custom', path: ['appointmentAt'], message: 'a major repair needs an agreed appointment time (R5)' });
      }
    });

export type RepairIntake = z.infer<ReturnType<typeof repairIntakeSchema>>;

/** A repair's lifecycle, in the order a normal case walks it (workflows/repair.ts sets them). */
export const REPAIR_STATUSES = [
  'received',
  'dispatched',
  'accepted',
  'awaiting_reschedule', // R6: nobody was home
  'on_site',
  'completed',
  'signed_off', // R8
  'rejected', // R10: about to be dispatched again
  'awaiting_return_visit', // R9
  'closed',
  'invalid', // R1
] as const;
export type RepairStatus = (typeof REPAIR_STATUSES)[number];
