package main

import (
	"sort"
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// ruleState is what the controller knows of one rule's status between writes: node
// workers and the rule worker both fill it, and the rule worker writes it out.
type ruleState struct {
	uid types.UID
	// reconciledGeneration is the rule generation last evaluated over every node (0: not yet).
	reconciledGeneration int64
	evaluations          map[string]nodeEvaluation
	failures             map[string]nodeFailure
	dryRun               *dryRunResults
	// written is the status last written, so an unchanged status is not written again.
	written []byte
}

type store struct {
	mu    sync.Mutex
	rules map[string]*ruleState
}

func newStore() *store { return &store{rules: map[string]*ruleState{}} }

// stateOf returns the rule's state, seeded from its stored status the first time: a
// restarted controller then knows which nodes it already evaluated (and so adopts no
// taint twice). The caller holds mu.
func (s *store) stateOf(r *rule) *ruleState {
	state, found := s.rules[r.Name]
	if found && state.uid == r.UID {
		return state
	}
	state = &ruleState{uid: r.UID, evaluations: map[string]nodeEvaluation{}, failures: map[string]nodeFailure{}}
	for _, evaluation := range r.Status.NodeEvaluations {
		state.evaluations[evaluation.NodeName] = evaluation
	}
	for _, failure := range r.Status.FailedNodes {
		state.failures[failure.NodeName] = failure
	}
	s.rules[r.Name] = state
	return state
}

// claimFirstEvaluation is true exactly once per rule and node, for whichever worker
// evaluates the pair first: only that one may adopt the node's taint.
func (s *store) claimFirstEvaluation(r *rule, node string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := s.stateOf(r)
	if _, seen := state.evaluations[node]; seen {
		return false
	}
	state.evaluations[node] = nodeEvaluation{NodeName: node}
	return true
}

func (s *store) record(r *rule, evaluation nodeEvaluation, failure *nodeFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := s.stateOf(r)
	state.evaluations[evaluation.NodeName] = evaluation
	if failure != nil {
		state.failures[evaluation.NodeName] = *failure
	} else {
		delete(state.failures, evaluation.NodeName)
	}
}

// forgetNode drops a node the rule no longer selects, or that is gone, from its status.
func (s *store) forgetNode(r *rule, node string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := s.stateOf(r)
	_, evaluated := state.evaluations[node]
	_, failed := state.failures[node]
	delete(state.evaluations, node)
	delete(state.failures, node)
	return evaluated || failed
}

func (s *store) needsFullPass(r *rule) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stateOf(r).reconciledGeneration != r.Generation
}

func (s *store) markReconciled(r *rule, dryRun *dryRunResults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := s.stateOf(r)
	state.reconciledGeneration = r.Generation
	state.dryRun = dryRun
}

func (s *store) drop(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rules, name)
}

// status is the rule's status as it should be stored, or false before the rule's
// first full pass (a partial status would claim a generation not yet observed).
func (s *store) status(r *rule) (ruleStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := s.stateOf(r)
	if state.reconciledGeneration == 0 {
		return ruleStatus{}, false
	}
	return buildStatus(state), true
}

func (s *store) alreadyWritten(r *rule, data []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.stateOf(r).written) == string(data)
}

func (s *store) markWritten(r *rule, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stateOf(r).written = data
}

// buildStatus orders every list by node name, so the same knowledge always makes the same status.
func buildStatus(state *ruleState) ruleStatus {
	status := ruleStatus{ObservedGeneration: state.reconciledGeneration, DryRunResults: state.dryRun}
	for name, evaluation := range state.evaluations {
		if evaluation.TaintStatus == "" {
			continue // claimed by a worker still evaluating it
		}
		status.NodeEvaluations = append(status.NodeEvaluations, evaluation)
		if _, failed := state.failures[name]; !failed {
			status.AppliedNodes = append(status.AppliedNodes, name)
		}
	}
	for _, failure := range state.failures {
		status.FailedNodes = append(status.FailedNodes, failure)
	}
	sort.Strings(status.AppliedNodes)
	sort.Slice(status.NodeEvaluations, func(i, j int) bool {
		return status.NodeEvaluations[i].NodeName < status.NodeEvaluations[j].NodeName
	})
	sort.Slice(status.FailedNodes, func(i, j int) bool { return status.FailedNodes[i].NodeName < status.FailedNodes[j].NodeName })
	return status
}

// statusPatch is a JSON merge patch that sets every status field, nulling the empty ones.
func statusPatch(status ruleStatus) map[string]any {
	orNull := func(empty bool, value any) any {
		if empty {
			return nil
		}
		return value
	}
	return map[string]any{"status": map[string]any{
		"observedGeneration": status.ObservedGeneration,
		"appliedNodes":       orNull(len(status.AppliedNodes) == 0, status.AppliedNodes),
		"failedNodes":        orNull(len(status.FailedNodes) == 0, status.FailedNodes),
		"nodeEvaluations":    orNull(len(status.NodeEvaluations) == 0, status.NodeEvaluations),
		"dryRunResults":      orNull(status.DryRunResults == nil, status.DryRunResults),
	}}
}
