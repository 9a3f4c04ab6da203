export { parseJournalText as parseImport } from '../../../shared/journal';
