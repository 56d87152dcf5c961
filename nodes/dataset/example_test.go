package dataset_test

import (
	"fmt"

	"github.com/coinai/coinai/nodes/dataset"
)

func ExampleDigits() {
	s, err := dataset.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Name, s.Len(), s.C, s.H, s.W, s.Classes)
	fmt.Println(s.ClassCounts())

	train, val, test := s.Split(1, 0.1, 0.2)
	fmt.Println(train.Len(), val.Len(), test.Len())
	// Output:
	// digits 1797 1 8 8 10
	// [178 182 177 183 181 182 181 179 174 180]
	// 1258 180 359
}

func ExamplePermutation() {
	fmt.Println(dataset.Permutation(1, 10))
	// Output: [8 1 7 4 5 9 0 3 6 2]
}
