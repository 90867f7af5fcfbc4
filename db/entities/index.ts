export * from './places';
export * from './households';
export * from './staff';
export * from './cases';
export * from './archive';
export * from './reports';
export * from './staff-month-tally';
export * from './appraisal';
export * from './surveys';
export * from './calendar';
export * from './admin-audit';
export * from './administration';
export * from './console';
import { Area, Building, Property, Unit } from './places';
import { Household, HouseholdContact } from './households';
import { Staff } from './staff';
import { Case, CaseCounter, CaseEvent, FinanceEntry, IdempotentRequest, Notification } from './cases';
import { HouseholdChange } from './archive';
import { StoredReport } from './reports';
import { StaffMonthTally } from './staff-month-tally';
import { OwnerMonthTally, StaffAppraisal, StaffAppraisalYear } from './appraisal';
import { NationalCalendarYear } from './calendar';
import { AdminAuditEvent } from './admin-audit';
import { ImportBatch, PolicyVersion } from './administration';
import { CaseAttachment, CaseFeedback, CaseLinkToken, HttpSession, StaffCredential, StaffPasswordToken } from './console';
import { SurveyCampaign, SurveyInvitation, SurveyResponse, SurveyRun, SurveyRunArea, SurveyToken, SurveyTopicChoice } from './surveys';

export const ALL_ENTITIES = [
  Property, Area, Building, Unit, Household, HouseholdContact, Staff,
  Case, CaseEvent, Notification, CaseCounter, IdempotentRequest, FinanceEntry,
  HouseholdChange,
  StoredReport, StaffMonthTally, OwnerMonthTally, StaffAppraisal, StaffAppraisalYear,
  SurveyRun, SurveyRunArea, SurveyInvitation, SurveyToken, SurveyResponse, SurveyCampaign, SurveyTopicChoice,
  NationalCalendarYear, AdminAuditEvent,
  PolicyVersion, ImportBatch,
  StaffCredential, StaffPasswordToken, HttpSession, CaseAttachment, CaseLinkToken, CaseFeedback,
];
