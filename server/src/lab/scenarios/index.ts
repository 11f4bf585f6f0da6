export { runScenarios, scenarioList } from './runner';
export type { RunScenariosOptions } from './runner';
export { renderScenarioReportText, renderScenarioReportMarkdown } from './report';
export { SCENARIOS } from './catalog';
export type { ScenarioReport, ScenarioResult, ScenarioProgress, ScenarioExpectation, ScenarioCheck } from './types';
