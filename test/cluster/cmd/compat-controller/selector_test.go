package main

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func labelsSelector(matchLabels map[string]string, expressions ...metav1.LabelSelectorRequirement) metav1.LabelSelector {
	return metav1.LabelSelector{MatchLabels: matchLabels, MatchExpressions: expressions}
}

func expression(key string, operator metav1.LabelSelectorOperator, values ...string) metav1.LabelSelectorRequirement {
	return metav1.LabelSelectorRequirement{Key: key, Operator: operator, Values: values}
}

func TestSelectorsOverlap(t *testing.T) {
	gpu := labelsSelector(map[string]string{"example.com/gpu": "true"})
	cases := []struct {
		name          string
		first, second metav1.LabelSelector
		want          bool
	}{
		{"identical", gpu, gpu, true},
		{"different keys can both hold", gpu, labelsSelector(map[string]string{"zone": "a"}), true},
		{"same key, different values", gpu, labelsSelector(map[string]string{"example.com/gpu": "false"}), false},
		{"In sets that intersect", labelsSelector(nil, expression("zone", metav1.LabelSelectorOpIn, "a", "b")),
			labelsSelector(nil, expression("zone", metav1.LabelSelectorOpIn, "b", "c")), true},
		{"In sets that do not", labelsSelector(nil, expression("zone", metav1.LabelSelectorOpIn, "a")),
			labelsSelector(nil, expression("zone", metav1.LabelSelectorOpIn, "b")), false},
		{"NotIn forbids every value In allows", labelsSelector(nil, expression("zone", metav1.LabelSelectorOpIn, "a")),
			labelsSelector(nil, expression("zone", metav1.LabelSelectorOpNotIn, "a")), false},
		{"NotIn leaves a value", labelsSelector(nil, expression("zone", metav1.LabelSelectorOpIn, "a", "b")),
			labelsSelector(nil, expression("zone", metav1.LabelSelectorOpNotIn, "a")), true},
		{"Exists against DoesNotExist", labelsSelector(nil, expression("node-role.kubernetes.io/control-plane", metav1.LabelSelectorOpExists)),
			labelsSelector(nil, expression("node-role.kubernetes.io/control-plane", metav1.LabelSelectorOpDoesNotExist)), false},
		{"matchLabels against DoesNotExist", gpu, labelsSelector(nil, expression("example.com/gpu", metav1.LabelSelectorOpDoesNotExist)), false},
		{"NotIn against DoesNotExist", labelsSelector(nil, expression("zone", metav1.LabelSelectorOpNotIn, "a")),
			labelsSelector(nil, expression("zone", metav1.LabelSelectorOpDoesNotExist)), true},
		{"an unparsable selector is taken to overlap", gpu, labelsSelector(nil, expression("zone", "Bogus")), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := selectorsOverlap(tc.first, tc.second); got != tc.want {
				t.Errorf("overlap = %v, want %v", got, tc.want)
			}
			if got := selectorsOverlap(tc.second, tc.first); got != tc.want {
				t.Errorf("overlap reversed = %v, want %v", got, tc.want)
			}
		})
	}
}
